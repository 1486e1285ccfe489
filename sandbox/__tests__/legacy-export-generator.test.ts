import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import countries from 'i18n-iso-countries';
import jaroWinkler from 'talisman/metrics/jaro-winkler';
import { readLegacyChunk, type ReadCheckpoint } from '../../activities/migration/legacy-reader';
import { GOLDEN_EXPORT_OPTIONS, LEGACY_EXPORT_FILE_NAMES, addDaysFast, expectedMigrationCounts, generateLegacyExport, type LegacyExportManifest } from '../legacy-export/generator';
import { addDays } from '../../domain/catalog/dates';
import { LEGACY_FILES, type LegacyFileKind, type RawRecord, type RowIssue } from '../../domain/customers/model';

const GOLDEN_DIR = path.join(__dirname, '../../test/fixtures/legacy-export/golden');
let dir: string;
let manifest: LegacyExportManifest;
const files = {} as Record<LegacyFileKind, { records: RawRecord[]; issues: RowIssue[] }>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'legacy-export-'));
  manifest = generateLegacyExport({ dir: path.join(dir, 'golden'), ...GOLDEN_EXPORT_OPTIONS });
  for (const file of LEGACY_FILES) {
    const records: RawRecord[] = [];
    const issues: RowIssue[] = [];
    let from: ReadCheckpoint | null = null;
    for (;;) {
      const chunk = await readLegacyChunk({ path: path.join(dir, 'golden', LEGACY_EXPORT_FILE_NAMES[file]), file, from, maxRecords: 97 });
      records.push(...chunk.records);
      issues.push(...chunk.issues);
      if (!chunk.next) break;
      from = chunk.next;
    }
    files[file] = { records, issues };
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isoOf = (d: string) => (/^\d{2}\/\d{2}\/\d{4}$/.test(d) ? `${d.slice(6)}-${d.slice(3, 5)}-${d.slice(0, 2)}` : d);
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[øØ]/g, 'o')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
const jw = (a: string, b: string) => jaroWinkler(fold(a), fold(b));
const centsOf = (amount: string) => {
  const [units, frac = ''] = amount.split('.');
  return Number(units) * 100 + Number(frac.padEnd(2, '0'));
};
const amountOf = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const countryOf = (s: string) => countries.getAlpha2Code(s, 'en') ?? countries.alpha3ToAlpha2(s) ?? (countries.isValid(s) ? s : undefined);

describe('generateLegacyExport', () => {
  it('regenerates the committed golden fixture byte for byte (same seed → same bytes)', () => {
    const names = readdirSync(path.join(dir, 'golden')).sort();
    expect(names).toEqual([...Object.values(LEGACY_EXPORT_FILE_NAMES), 'manifest.json'].sort());
    for (const name of names) expect(readFileSync(path.join(dir, 'golden', name)).equals(readFileSync(path.join(GOLDEN_DIR, name)))).toBe(true);
  });

  it('another seed gives another export', () => {
    const other = generateLegacyExport({ ...GOLDEN_EXPORT_OPTIONS, dir: path.join(dir, 'other'), seed: 7, customers: 40 });
    expect(other.rows.customers).toBe(40);
    expect(readFileSync(path.join(dir, 'other', 'customers.csv')).equals(readFileSync(path.join(dir, 'golden', 'customers.csv')).subarray(0, readFileSync(path.join(dir, 'other', 'customers.csv')).length))).toBe(false);
  });

  it('every planted kind is there, and the reader finds exactly the planted malformed and Latin-1 rows', () => {
    const codes = new Set(manifest.defectRows.map((d) => d.code));
    expect([...codes].sort()).toEqual(['bad-date', 'bad-encoding', 'card-number', 'impossible-birth-date', 'malformed-row', 'unknown-customer']);
    for (const key of ['duplicates', 'spousePairs', 'expiredPassports', 'loyaltyMismatches', 'toArchive', 'keptActiveByBooking', 'inFlightBookings'] as const) expect(manifest[key].length).toBeGreaterThan(0);
    expect(manifest.duplicates.some((d) => d.kind === 'triple')).toBe(true);
    for (const file of LEGACY_FILES) {
      const readerIssues = files[file].issues.map((i) => `${i.row}:${i.code}`);
      const planted = manifest.defectRows.filter((d) => d.file === file && (d.code === 'malformed-row' || d.code === 'bad-encoding')).map((d) => `${d.row}:${d.code}`);
      expect(readerIssues).toEqual(planted);
      const malformed = planted.filter((p) => p.endsWith('malformed-row')).length;
      expect(files[file].records.length + malformed).toBe(manifest.rows[file]);
    }
  });

  it('the planted cases are in the files as the manifest says', () => {
    const today = manifest.today;
    const customers = new Map(files.customers.records.map((r) => [r.fields.customer_id!, r.fields]));
    const refused = new Set(manifest.refusedCustomers);
    const loaded = [...customers.keys()].filter((id) => !refused.has(id));
    for (const id of manifest.refusedCustomers) {
      for (const file of ['passports', 'trips', 'loyalty', 'consents', 'bookings'] as const) expect(files[file].records.filter((r) => r.fields.customer_id === id)).toEqual([]);
    }

    // Phones are valid in the address country and countries resolve, so no stray warnings.
    for (const id of loaded) {
      const c = customers.get(id)!;
      const country = countryOf(c.country!);
      expect(country).toBeDefined();
      for (const f of ['phone', 'mobile', 'work_phone']) if (c[f]) expect([c[f], parsePhoneNumberFromString(c[f]!, country as CountryCode)?.isValid()]).toEqual([c[f], true]);
    }
    const e164 = (c: Record<string, string>) => parsePhoneNumberFromString(c.mobile!, countryOf(c.country!) as CountryCode)!.number;

    // Duplicates: same birth date, close names, a shared email (any case) or mobile (any format).
    const cluster = new Map<string, number>();
    manifest.duplicates.forEach((d, k) => {
      const [first, ...rest] = d.members.map((id) => customers.get(id)!);
      for (const c of rest) {
        expect(isoOf(c.date_of_birth!)).toBe(isoOf(first!.date_of_birth!));
        expect(jw(c.first_name!, first!.first_name!)).toBeGreaterThanOrEqual(0.85);
        expect(jw(c.last_name!, first!.last_name!)).toBeGreaterThanOrEqual(0.85);
        const others = d.members.map((id) => customers.get(id)!).filter((o) => o !== c);
        expect(others.some((o) => o.email!.toLowerCase() === c.email!.toLowerCase() || e164(o) === e164(c))).toBe(true);
      }
      d.members.forEach((id) => cluster.set(id, k));
    });
    // Nothing else looks like a duplicate: birth dates, emails and phones are shared only inside a cluster (emails: or by spouses).
    const spouseOf = new Map(manifest.spousePairs.flatMap((s) => [[s.a, s.b], [s.b, s.a]] as [string, string][]));
    const seen = new Map<string, string>();
    for (const id of loaded) {
      const c = customers.get(id)!;
      const keys = [`dob:${isoOf(c.date_of_birth!)}`, `email:${c.email!.toLowerCase()}`, ...['phone', 'mobile', 'work_phone'].filter((f) => c[f]).map((f) => `tel:${parsePhoneNumberFromString(c[f]!, countryOf(c.country!) as CountryCode)!.number}`)];
      for (const key of keys) {
        const other = seen.get(key);
        if (other !== undefined) expect([key, id, cluster.get(id) ?? (key.startsWith('email:') ? spouseOf.get(id) : undefined)]).toEqual([key, id, cluster.get(other) ?? (key.startsWith('email:') ? other : 'none')]);
        seen.set(key, id);
      }
    }
    // Spouses: one household email, first names far apart, different birth dates.
    for (const s of manifest.spousePairs) {
      const [a, b] = [customers.get(s.a)!, customers.get(s.b)!];
      expect([a.email, b.email]).toEqual([s.sharedEmail, s.sharedEmail]);
      expect(a.household_id).toBeDefined();
      expect(a.household_id).toBe(b.household_id);
      expect(jw(a.first_name!, b.first_name!)).toBeLessThan(0.7);
      expect(isoOf(a.date_of_birth!)).not.toBe(isoOf(b.date_of_birth!));
    }

    // Expired passports.
    const expired = files.passports.records.filter((r) => r.fields.expires_on! < today).map((r) => r.fields.number);
    expect(expired).toEqual(manifest.expiredPassports.map((p) => p.number));
    expect(files.passports.records).toHaveLength(manifest.passports);

    // Loyalty: stated balance vs the sum of transactions.
    const sums = new Map<string, number>();
    for (const r of files.loyalty.records) sums.set(r.fields.customer_id!, (sums.get(r.fields.customer_id!) ?? 0) + Number(r.fields.points));
    const mismatches = loaded
      .filter((id) => customers.get(id)!.loyalty_balance !== undefined && Number(customers.get(id)!.loyalty_balance) !== (sums.get(id) ?? 0))
      .map((id) => ({ customerId: id, statedBalance: Number(customers.get(id)!.loyalty_balance), transactionSum: sums.get(id) ?? 0, difference: Number(customers.get(id)!.loyalty_balance) - (sums.get(id) ?? 0) }));
    expect(mismatches).toEqual(manifest.loyaltyMismatches);

    // Archive: the last trip ended more than 7 years ago and no in-flight booking.
    const lastEnd = new Map<string, string>();
    for (const r of files.trips.records) if (!lastEnd.has(r.fields.customer_id!) || lastEnd.get(r.fields.customer_id!)! < r.fields.end_date!) lastEnd.set(r.fields.customer_id!, r.fields.end_date!);
    const withBooking = new Set(files.bookings.records.map((r) => r.fields.customer_id));
    const cutoff = addDays(today, -Math.ceil(7 * 365.25));
    const old = loaded.filter((id) => (lastEnd.get(id) ?? customers.get(id)!.created_on!) < cutoff);
    expect(old.filter((id) => !withBooking.has(id))).toEqual(manifest.toArchive);
    expect(old.filter((id) => withBooking.has(id))).toEqual(manifest.keptActiveByBooking);
    // Everyone else travelled within 6 years (no borderline cases) and every trip is over.
    for (const id of loaded.filter((x) => !old.includes(x))) expect(lastEnd.get(id)! >= addDays(today, -6 * 366)).toBe(true);
    expect(files.trips.records.every((r) => r.fields.end_date! < today)).toBe(true);

    // Trips of unknown customers.
    expect(files.trips.records.filter((r) => !customers.has(r.fields.customer_id!)).length).toBe(manifest.tripsOfUnknownCustomers);

    // In-flight bookings: balance due = total - payments = sum of installments; departures in the future.
    expect(files.bookings.records).toHaveLength(manifest.inFlightBookings.length);
    files.bookings.records.forEach((r, k) => {
      const b = JSON.parse(r.fields.__json!) as { booking_reference: string; total: string; departure_date: string; payments: { amount: string }[]; installments: { amount: string; due_date: string }[] };
      const planted = manifest.inFlightBookings[k]!;
      expect(b.booking_reference).toBe(planted.reference);
      expect(b.departure_date > today).toBe(true);
      const paid = b.payments.reduce((n, p) => n + centsOf(p.amount), 0);
      expect(amountOf(paid)).toBe(planted.paid);
      expect(amountOf(centsOf(b.total) - paid)).toBe(planted.balanceDue);
      expect(amountOf(b.installments.reduce((n, i) => n + centsOf(i.amount), 0))).toBe(planted.balanceDue);
      expect(b.installments.every((i) => i.due_date > today && i.due_date < b.departure_date)).toBe(true);
    });
  });

  it('EXPECTED.md states exactly the counts derived from the manifest', () => {
    const committed = JSON.parse(readFileSync(path.join(GOLDEN_DIR, 'manifest.json'), 'utf8')) as LegacyExportManifest;
    const md = readFileSync(path.join(GOLDEN_DIR, 'EXPECTED.md'), 'utf8');
    const stated: Record<string, string> = {};
    for (const m of md.matchAll(/^\| `([a-zA-Z.-]+)` \| ([-0-9.]+) \|/gm)) stated[m[1]!] = m[2]!;
    const expected = Object.fromEntries(Object.entries(expectedMigrationCounts(committed)).map(([k, v]) => [k, String(v)]));
    expect(stated).toEqual(expected);
  });
});

describe('addDaysFast', () => {
  it('agrees with the domain calendar over two centuries of dates and offsets', () => {
    for (let d = -40_000; d < 40_000; d += 397) {
      const date = addDays('1970-01-01', d);
      for (const n of [-3000, -366, -1, 0, 1, 59, 365, 3650]) expect(addDaysFast(date, n)).toBe(addDays(date, n));
    }
  });
});
