import { utcDate, isoDateOf } from '../domain/time/instant';
import { createHash } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import {
  AtolCriteria,
  AtolError,
  AtolRuleSchema,
  ATOL_CLASSIFICATIONS,
  classify,
  isProtected,
  parseAtolBooking,
  rulesInForce,
  type AtolBooking,
  type AtolClassification,
  type AtolRule,
} from '../domain/atol/classification';
import { canonicalBookingFacts, recordedFactChanges } from '../domain/atol/booking-facts';
import { contributionDue, contributionEntry, rateInForce, type ContributionRate } from '../domain/atol/contribution';
import { DEFAULT_ATOL_RULES, DEFAULT_CONTRIBUTION_RATES, DEFAULT_TURNOVER_BANDS, type ReturnFrequency, type TurnoverBand } from '../domain/atol/default-rules';
import { licenceForBooking } from '../domain/atol/licensing';
import { pageOfRows, requireCursor, type Page, type PageRequest } from './keyset-cursor';
import { AtolLicenceInput, AtolLicencePatch, passengerReturn, returnFrequencyFor, type PassengerReturn, type ReturnRecord } from '../domain/atol/returns';
import type { EntryDraft } from '../domain/ledger/entry';
import { minorUnits } from '../domain/money/currency';
import { Dec, type MoneyJson } from '../domain/money/money';
import { LedgerError, type Ledger, type PostedEntry } from './ports/ledger';

const money = (amount: Prisma.Decimal | string, currency: string): MoneyJson => ({ amount: new Dec(amount.toString()).toFixed(minorUnits(currency)), currency });

/** sha256 (hex) of the booking's canonical facts, kept on the record: a repeat must match it. */
export const atolFactsHash = (booking: AtolBooking): string => createHash('sha256').update(canonicalBookingFacts(booking)).digest('hex');

export interface AtolRuleView extends AtolRule {
  id: string;
}

export interface AtolRecordView {
  bookingRef: string;
  /** The licence the booking is sold under; null for a booking outside ATOL with no single licence in force, or recorded before licences were kept. */
  licenceNumber: string | null;
  /** null on records made before the booking date was kept. */
  bookingDate: string | null;
  /** sha256 of the canonical booking facts (see {@link canonicalBookingFacts}); null on records made before it was kept. */
  factsHash: string | null;
  classification: AtolClassification;
  ruleId: string | null;
  sellerCountry: string;
  passengers: number;
  departureDate: string;
  revenue: MoneyJson;
  /** APC posted for the booking; null when the classification is not protected. */
  contribution: MoneyJson | null;
  entryId: string | null;
  classifiedAt: number;
}

export interface ClassifyOutcome {
  /** False when the booking had been classified before with the same facts. */
  created: boolean;
  record: AtolRecordView;
  rule: { id: string; name: string };
  entry: PostedEntry | null;
}

export interface AtolLicenceView {
  number: string;
  holder: string;
  turnoverBand: string;
  returnFrequency: ReturnFrequency;
  validFrom: string;
  validTo: string | null;
}

type RuleRow = Prisma.AtolRuleGetPayload<object>;
type RecordRow = Prisma.AtolBookingRecordGetPayload<object>;
type LicenceRow = Prisma.AtolLicenceGetPayload<object>;

/** Criteria as stored; a row edited by hand into something the evaluator cannot read is named, not guessed at. */
function storedCriteria(r: RuleRow): AtolCriteria {
  const parsed = AtolCriteria.safeParse(r.criteria);
  if (!parsed.success) throw new Error(`ATOL rule ${r.name} (${r.id}) has unreadable criteria: ${parsed.error.issues.map((i) => `${i.path.join('/')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

function toRule(r: RuleRow): AtolRuleView {
  return {
    id: r.id,
    name: r.name,
    priority: r.priority,
    effectiveFrom: isoDateOf(r.effectiveFrom),
    effectiveTo: r.effectiveTo ? isoDateOf(r.effectiveTo) : null,
    criteria: storedCriteria(r),
    classification: r.classification as AtolClassification,
  };
}

function toRecord(r: RecordRow): AtolRecordView {
  return {
    bookingRef: r.bookingRef,
    licenceNumber: r.licenceNumber,
    bookingDate: r.bookingDate ? isoDateOf(r.bookingDate) : null,
    factsHash: r.factsHash,
    classification: r.classification as AtolClassification,
    ruleId: r.ruleId,
    sellerCountry: r.sellerCountry,
    passengers: r.passengers,
    departureDate: isoDateOf(r.departureDate),
    revenue: money(r.revenue, r.currency),
    contribution: r.contributionCurrency ? money(r.contribution, r.contributionCurrency) : null,
    entryId: r.entryId,
    classifiedAt: r.classifiedAt.getTime(),
  };
}

function toLicence(l: LicenceRow): AtolLicenceView {
  return {
    number: l.number,
    holder: l.holder,
    turnoverBand: l.turnoverBand,
    returnFrequency: l.returnFrequency as ReturnFrequency,
    validFrom: isoDateOf(l.validFrom),
    validTo: l.validTo ? isoDateOf(l.validTo) : null,
  };
}

/** Canonical JSON: object keys sorted, so criteria written in another key order compare equal. */
const canon = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canon).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);

/** What differs between two contents of one rule version (none: the same version). */
function ruleDifferences(stored: AtolRule, sent: AtolRule): string[] {
  const out: string[] = [];
  if (stored.priority !== sent.priority) out.push(`priority ${stored.priority}, not ${sent.priority}`);
  if (stored.effectiveTo !== sent.effectiveTo) out.push(`effectiveTo ${stored.effectiveTo ?? 'null'}, not ${sent.effectiveTo ?? 'null'}`);
  if (stored.classification !== sent.classification) out.push(`classification ${stored.classification}, not ${sent.classification}`);
  if (canon(stored.criteria) !== canon(sent.criteria)) out.push(`criteria ${canon(stored.criteria)}, not ${canon(sent.criteria)}`);
  return out;
}

const ruleData = (r: AtolRule) => ({
  name: r.name,
  priority: r.priority,
  effectiveFrom: utcDate(r.effectiveFrom),
  effectiveTo: r.effectiveTo ? utcDate(r.effectiveTo) : null,
  criteria: r.criteria as Prisma.InputJsonValue,
  classification: r.classification,
});

/**
 * Installs the default UK rule set and the APC rate: rule versions missing by (name,
 * effectiveFrom) and rates missing by effectiveFrom are created; existing ones are left alone.
 * Safe to call at every start and from concurrent processes: the unique indexes on
 * `atol_rules(name, effective_from)` and `atol_contribution_rates(effective_from)` decide, and a
 * concurrent seeder waits on the first one's rows and then skips them.
 */
export async function seedDefaultAtolRules(prisma: PrismaClient): Promise<{ rulesCreated: number; ratesCreated: number }> {
  return prisma.$transaction(async (tx) => {
    const rules = await tx.atolRule.createMany({ data: DEFAULT_ATOL_RULES.map(ruleData), skipDuplicates: true });
    const rates = await tx.atolContributionRate.createMany({
      data: DEFAULT_CONTRIBUTION_RATES.map((r) => ({ effectiveFrom: utcDate(r.effectiveFrom), perPassenger: r.perPassenger, currency: r.currency })),
      skipDuplicates: true,
    });
    return { rulesCreated: rules.count, ratesCreated: rates.count };
  });
}

/**
 * ATOL on PostgreSQL/PGlite: rule versions and contribution rates, classification of bookings
 * with the APC posted to the ledger, licences, and the CAA passenger returns.
 */
export class PrismaAtolStore {
  private readonly bands: readonly TurnoverBand[];

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ledger: Ledger,
    options: { turnoverBands?: readonly TurnoverBand[] } = {},
  ) {
    this.bands = options.turnoverBands ?? DEFAULT_TURNOVER_BANDS;
  }

  seedDefaultAtolRules(): Promise<{ rulesCreated: number; ratesCreated: number }> {
    return seedDefaultAtolRules(this.prisma);
  }

  /** Every rule version, or with `asOf` the rules in force that day in evaluation order. */
  async listRules(asOf?: string): Promise<AtolRuleView[]> {
    const rows = (await this.prisma.atolRule.findMany({ orderBy: [{ priority: 'asc' }, { name: 'asc' }, { effectiveFrom: 'asc' }] })).map(toRule);
    return asOf ? rulesInForce(rows, asOf) : rows;
  }

  /** One rule version by id; null when there is none. */
  async getRule(id: string): Promise<AtolRuleView | null> {
    const row = await this.prisma.atolRule.findUnique({ where: { id } });
    return row ? toRule(row) : null;
  }

  /**
   * Adds a rule version. The unique index on (name, effectiveFrom) decides, also between
   * concurrent callers: the same version again (same content) is a harmless repeat; other content
   * under that name and date is a `rule-conflict` naming the version and what differs.
   */
  async addRuleVersion(input: unknown): Promise<{ created: boolean; rule: AtolRuleView }> {
    const parsed = AtolRuleSchema.safeParse(input);
    if (!parsed.success) {
      throw new AtolError('invalid-input', 'The rule is invalid', parsed.error.issues.map((i) => ({ path: i.path.join('/') || '(rule)', message: i.message })));
    }
    const rule: AtolRule = parsed.data;
    // ON CONFLICT DO NOTHING: a clash returns no row instead of aborting anything.
    const [row] = await this.prisma.atolRule.createManyAndReturn({ data: [ruleData(rule)], skipDuplicates: true });
    if (row) return { created: true, rule: toRule(row) };
    const same = await this.prisma.atolRule.findUnique({ where: { name_effectiveFrom: { name: rule.name, effectiveFrom: utcDate(rule.effectiveFrom) } } });
    if (!same) throw new Error(`Rule "${rule.name}" effective from ${rule.effectiveFrom} clashed on insert but cannot be read back`);
    const stored = toRule(same);
    const differences = ruleDifferences(stored, rule);
    if (!differences.length) return { created: false, rule: stored };
    throw new AtolError(
      'rule-conflict',
      `Rule "${rule.name}" already has a version effective from ${rule.effectiveFrom} (id ${stored.id}) with other content (${differences.join('; ')}); add a version with a later effectiveFrom`,
    );
  }

  async listContributionRates(): Promise<ContributionRate[]> {
    const rows = await this.prisma.atolContributionRate.findMany({ orderBy: { effectiveFrom: 'asc' } });
    return rows.map((r) => ({ effectiveFrom: isoDateOf(r.effectiveFrom), perPassenger: money(r.perPassenger, r.currency).amount, currency: r.currency }));
  }

  /**
   * Classifies a booking with the rules in force on its booking date, resolves the licence it is
   * sold under (see {@link licenceForBooking}), posts the APC for a protected one (key
   * `atol-apc:<bookingRef>`) and records it with its booking date and facts hash. Idempotent per
   * booking: the same facts again (same facts hash, and the same licence if one is named) return
   * the same record; other facts are a `booking-conflict` naming what changed. The entry is posted
   * first and the record written after it, so a retry after a failure in between finds the entry
   * under its key and completes the record: nothing is posted twice or half-recorded.
   */
  async classifyAndRecord(input: unknown): Promise<ClassifyOutcome> {
    const booking = parseAtolBooking(input);
    const factsHash = atolFactsHash(booking);
    const [rules, rates, existing] = await Promise.all([
      this.listRules(),
      this.listContributionRates(),
      this.prisma.atolBookingRecord.findUnique({ where: { bookingRef: booking.bookingRef } }),
    ]);
    if (existing) return this.repeat(existing, booking, factsHash, rules, rates);

    const { classification, rule } = classify(rules, booking);
    const licenceNumber = licenceForBooking(await this.listLicences(), booking, classification);
    const { due, draft } = this.contribution(booking, classification, rates);
    const entry = draft ? await this.post(draft, booking.bookingRef) : null;
    try {
      const row = await this.prisma.atolBookingRecord.create({
        data: {
          bookingRef: booking.bookingRef,
          licenceNumber,
          bookingDate: utcDate(booking.bookingDate),
          factsHash,
          classification,
          ruleId: rule.id,
          sellerCountry: booking.sellerCountry,
          passengers: booking.passengers,
          departureDate: utcDate(booking.departureDate),
          revenue: booking.revenue.amount,
          currency: booking.revenue.currency,
          contribution: due?.amount ?? '0',
          contributionCurrency: due?.currency ?? null,
          entryId: entry?.id ?? null,
        },
      });
      return { created: true, record: toRecord(row), rule: { id: rule.id, name: rule.name }, entry };
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        // Two classifiers raced on one booking: the first record stands.
        const winner = await this.prisma.atolBookingRecord.findUnique({ where: { bookingRef: booking.bookingRef } });
        if (winner) return this.repeat(winner, booking, factsHash, rules, rates);
      }
      throw err;
    }
  }

  async getRecord(bookingRef: string): Promise<AtolRecordView> {
    const row = await this.prisma.atolBookingRecord.findUnique({ where: { bookingRef } });
    if (!row) throw new AtolError('record-not-found', `Booking ${bookingRef} has no ATOL classification`);
    return toRecord(row);
  }

  /** Registers a licence; the same licence again is a repeat, other details under its number a conflict. */
  async createLicence(input: unknown): Promise<{ created: boolean; licence: AtolLicenceView }> {
    const parsed = AtolLicenceInput.safeParse(input);
    if (!parsed.success) {
      throw new AtolError('invalid-input', 'The licence is invalid', parsed.error.issues.map((i) => ({ path: i.path.join('/') || '(licence)', message: i.message })));
    }
    const l = parsed.data;
    const data = {
      number: l.number,
      holder: l.holder,
      turnoverBand: l.turnoverBand,
      returnFrequency: returnFrequencyFor(l.turnoverBand, this.bands),
      validFrom: utcDate(l.validFrom),
      validTo: l.validTo ? utcDate(l.validTo) : null,
    };
    const same = await this.prisma.atolLicence.findUnique({ where: { number: l.number } });
    const matches = (s: LicenceRow) => {
      const v = toLicence(s);
      return v.holder === l.holder && v.turnoverBand === l.turnoverBand && v.validFrom === l.validFrom && v.validTo === (l.validTo ?? null);
    };
    if (same) {
      if (matches(same)) return { created: false, licence: toLicence(same) };
      throw new AtolError('licence-conflict', `Licence ${l.number} is already registered with other details; change it with an update`);
    }
    try {
      return { created: true, licence: toLicence(await this.prisma.atolLicence.create({ data })) };
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return this.createLicence(input);
      throw err;
    }
  }

  /** Changes a licence's holder, turnover band (and so its return frequency) or end date. */
  async updateLicence(number: string, patch: unknown): Promise<AtolLicenceView> {
    const parsed = AtolLicencePatch.safeParse(patch);
    if (!parsed.success) {
      throw new AtolError('invalid-input', 'The licence change is invalid', parsed.error.issues.map((i) => ({ path: i.path.join('/') || '(licence)', message: i.message })));
    }
    const p = parsed.data;
    const current = await this.getLicence(number);
    const validTo = p.validTo === undefined ? current.validTo : p.validTo;
    if (validTo !== null && validTo < current.validFrom) {
      throw new AtolError('invalid-input', 'The licence change is invalid', [{ path: 'validTo', message: `must not be before validFrom (${current.validFrom})` }]);
    }
    const band = p.turnoverBand ?? current.turnoverBand;
    const row = await this.prisma.atolLicence.update({
      where: { number },
      data: { holder: p.holder ?? current.holder, turnoverBand: band, returnFrequency: returnFrequencyFor(band, this.bands), validTo: validTo ? utcDate(validTo) : null },
    });
    return toLicence(row);
  }

  async getLicence(number: string): Promise<AtolLicenceView> {
    const row = await this.prisma.atolLicence.findUnique({ where: { number } });
    if (!row) throw new AtolError('licence-not-found', `No ATOL licence ${number}`);
    return toLicence(row);
  }

  async listLicences(): Promise<AtolLicenceView[]> {
    return (await this.prisma.atolLicence.findMany({ orderBy: { number: 'asc' } })).map(toLicence);
  }

  /** A page of licences by number; `nextCursor` continues after the last one. */
  async pageLicences(page: PageRequest): Promise<Page<AtolLicenceView>> {
    const after = page.cursor ? { number: { gt: requireCursor(page.cursor, 1)[0]! } } : {};
    const rows = await this.prisma.atolLicence.findMany({ where: after, orderBy: { number: 'asc' }, take: page.limit + 1 });
    return pageOfRows(rows, page.limit, (r) => [r.number], toLicence);
  }

  /**
   * The licence's CAA passenger return for a calendar year (see {@link passengerReturn}), from
   * the protected bookings sold under that licence departing that year. A record without a
   * licence (classified before records kept theirs) counts only while the company has exactly
   * one licence registered, which it then must have been sold under; with two or more licences it
   * is in no return until it is assigned one.
   */
  async passengerReturn(licenceNumber: string, year: number): Promise<PassengerReturn> {
    const [licence, licences] = await Promise.all([this.getLicence(licenceNumber), this.prisma.atolLicence.count()]);
    const protectedClasses = ATOL_CLASSIFICATIONS.filter(isProtected);
    const rows = await this.prisma.atolBookingRecord.findMany({
      where: {
        classification: { in: [...protectedClasses] },
        departureDate: { gte: utcDate(`${year}-01-01`), lte: utcDate(`${year}-12-31`) },
        OR: licences === 1 ? [{ licenceNumber: licence.number }, { licenceNumber: null }] : [{ licenceNumber: licence.number }],
      },
      orderBy: { bookingRef: 'asc' },
    });
    const records: ReturnRecord[] = rows.map(toRecord);
    return passengerReturn(licence, year, records);
  }

  /** The APC a booking owes and the entry that posts it (none when not protected). */
  private contribution(booking: AtolBooking, classification: AtolClassification, rates: readonly ContributionRate[]): { due: MoneyJson | null; draft: EntryDraft | null } {
    const rate = isProtected(classification) ? rateInForce(rates, booking.bookingDate) : null;
    const due = rate ? contributionDue(classification, booking.passengers, rate) : null;
    const draft = rate && due ? contributionEntry({ bookingRef: booking.bookingRef, bookingDate: booking.bookingDate, passengers: booking.passengers, rate, amount: due }) : null;
    return { due, draft };
  }

  private async post(draft: EntryDraft, bookingRef: string): Promise<PostedEntry> {
    try {
      return await this.ledger.post(draft);
    } catch (err) {
      if (err instanceof LedgerError && err.kind === 'idempotency-conflict') {
        throw new AtolError('booking-conflict', `Booking ${bookingRef} already has an ATOL contribution posted for other facts (${err.message})`);
      }
      throw err;
    }
  }

  /**
   * The booking was recorded before. The same facts (same hash; the same licence when the repeat
   * names one) return the record and its entry, keeping the classification and rule recorded
   * first even if the rules changed since. Other facts are a `booking-conflict` naming what
   * changed as far as the record tells. A record from before facts hashes were kept is compared
   * on its columns and classification instead.
   */
  private async repeat(row: RecordRow, booking: AtolBooking, factsHash: string, rules: readonly AtolRuleView[], rates: readonly ContributionRate[]): Promise<ClassifyOutcome> {
    const stored = toRecord(row);
    type Reclassified = { classification: AtolClassification; rule: AtolRuleView } | null;
    const reclassified = (): Reclassified => {
      try {
        return classify(rules, booking);
      } catch (err) {
        if (err instanceof AtolError) return null;
        throw err;
      }
    };
    const changes = recordedFactChanges(stored, booking);
    let now: Reclassified = null;
    if (row.factsHash !== factsHash) {
      if (row.factsHash !== null && !changes.length) changes.push('the components (or their ticket dates) or the linked-arrangement flag differ from those first classified');
      now = reclassified();
      if (now && now.classification !== stored.classification) changes.push(`classification was ${stored.classification}, now ${now.classification}`);
      if (row.factsHash === null && !now) changes.push(`the booking can no longer be classified as ${stored.classification}`);
    }
    if (booking.licenceNumber !== undefined && booking.licenceNumber !== stored.licenceNumber) changes.push(`licenceNumber was ${stored.licenceNumber ?? 'none'}, now ${booking.licenceNumber}`);
    if (changes.length) {
      throw new AtolError('booking-conflict', `Booking ${booking.bookingRef} was already classified with other facts: ${changes.join('; ')}`);
    }

    // Posting the recorded contribution again returns the entry already posted.
    const rate = stored.contribution && row.entryId ? rateInForce(rates, booking.bookingDate) : null;
    const draft =
      rate && stored.contribution
        ? contributionEntry({ bookingRef: booking.bookingRef, bookingDate: booking.bookingDate, passengers: booking.passengers, rate, amount: stored.contribution })
        : null;
    const entry = draft ? await this.post(draft, booking.bookingRef) : null;
    if (entry && row.entryId !== entry.id) {
      throw new AtolError('booking-conflict', `Booking ${booking.bookingRef} is recorded with entry ${row.entryId}, but its contribution was posted as ${entry.id}`);
    }
    const rule = rules.find((r) => r.id === row.ruleId) ?? (now ?? reclassified())?.rule;
    if (!rule) throw new AtolError('booking-conflict', `Booking ${booking.bookingRef} is recorded with rule ${row.ruleId ?? 'none'}, which no longer exists`);
    return { created: false, record: stored, rule: { id: rule.id, name: rule.name }, entry };
  }
}
