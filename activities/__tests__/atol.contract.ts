import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { canonicalBookingFacts } from '../../domain/atol/booking-facts';
import { parseAtolBooking, type AtolBookingInput } from '../../domain/atol/classification';
import { contributionEntry } from '../../domain/atol/contribution';
import { DEFAULT_ATOL_RULES, DEFAULT_CONTRIBUTION_RATES } from '../../domain/atol/default-rules';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { Database } from '../../infra/database';
import { createAtolActivities } from '../atol.activities';
import { atolFactsHash, PrismaAtolStore } from '../atol.prisma';
import { seedChartOfAccounts } from '../chart-seed.prisma';
import { PrismaFxRates } from '../fx-rates.prisma';
import { PrismaLedger } from '../ledger.prisma';

/**
 * ATOL store behaviour, asked of every database Itinera runs on. The database must be the
 * suite's own: the returns aggregate every record and the APC payable balance is read whole.
 */
export function atolContract(open: () => Promise<Database>): void {
  let db: Database;
  let ledger: PrismaLedger;
  let atol: PrismaAtolStore;

  const booking = (bookingRef: string, overrides: Partial<AtolBookingInput> = {}): AtolBookingInput => ({
    bookingRef,
    bookingDate: '2027-02-10',
    sellerCountry: 'GB',
    passengers: 2,
    departureDate: '2027-03-20',
    revenue: { amount: '1500.00', currency: 'GBP' },
    components: [{ type: 'flight' }, { type: 'hotel' }],
    ...overrides,
  });
  const payable = async () => (await ledger.balance('liability:payable:atol-contributions', 'GBP')).net;

  beforeAll(async () => {
    db = await open();
    ledger = new PrismaLedger(db.prisma);
    atol = new PrismaAtolStore(db.prisma, ledger);
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
  });
  afterAll(() => db?.close());

  it('seeds the default rules and the APC rate once, concurrently or not', async () => {
    const runs = await Promise.all([atol.seedDefaultAtolRules(), atol.seedDefaultAtolRules()]);
    expect(runs.map((r) => r.rulesCreated).sort()).toEqual([0, DEFAULT_ATOL_RULES.length]);
    expect(await atol.seedDefaultAtolRules()).toEqual({ rulesCreated: 0, ratesCreated: 0 });
    expect(await atol.listRules('2027-01-01')).toHaveLength(DEFAULT_ATOL_RULES.length);
    expect(await atol.listContributionRates()).toEqual(DEFAULT_CONTRIBUTION_RATES);
  });

  it('keeps licences with their return frequency derived from the turnover band', async () => {
    const licence = { number: '11234', holder: 'Itinera Travel Ltd', turnoverBand: 'UP_TO_5M', validFrom: '2026-10-01' };
    expect(await atol.createLicence(licence)).toEqual({ created: true, licence: { ...licence, returnFrequency: 'QUARTERLY', validTo: null } });
    expect((await atol.createLicence(licence)).created).toBe(false);
    await expect(atol.createLicence({ ...licence, holder: 'Someone else' })).rejects.toMatchObject({ kind: 'licence-conflict' });
    await expect(atol.createLicence({ ...licence, number: '99', turnoverBand: 'HUGE' })).rejects.toMatchObject({ kind: 'unknown-turnover-band' });
    expect(await atol.updateLicence('11234', { turnoverBand: 'OVER_50M' })).toMatchObject({ returnFrequency: 'MONTHLY' });
    expect(await atol.updateLicence('11234', { turnoverBand: 'UP_TO_5M', validTo: '2027-09-30' })).toMatchObject({ returnFrequency: 'QUARTERLY', validTo: '2027-09-30' });
    await expect(atol.getLicence('404')).rejects.toMatchObject({ kind: 'licence-not-found' });
    expect((await atol.listLicences()).map((l) => l.number)).toEqual(['11234']);
  });

  it('classifies a package, posts its APC to the payable at booking time, and records it', async () => {
    const out = await atol.classifyAndRecord(booking('ITN-PKG1', { passengers: 3 }));
    expect(out).toMatchObject({
      created: true,
      rule: { name: 'flight-package' },
      record: { classification: 'PACKAGE', passengers: 3, contribution: { amount: '7.50', currency: 'GBP' }, revenue: { amount: '1500.00', currency: 'GBP' }, departureDate: '2027-03-20' },
      entry: { idempotencyKey: 'atol-apc:ITN-PKG1', accountingDate: '2027-02-10' },
    });
    expect(out.record.entryId).toBe(out.entry!.id);
    // Under the company's one licence valid on the booking date, with the facts it was classified from.
    expect(out.record).toMatchObject({ licenceNumber: '11234', bookingDate: '2027-02-10', factsHash: atolFactsHash(parseAtolBooking(booking('ITN-PKG1', { passengers: 3 }))) });
    expect(out.record.factsHash).toBe(createHash('sha256').update(canonicalBookingFacts(parseAtolBooking(booking('ITN-PKG1', { passengers: 3 })))).digest('hex'));
    expect(await payable()).toBe('-7.50');
    expect((await ledger.balance('expense:atol-contributions', 'GBP')).net).toBe('7.50');
    const row = await db.prisma.journalEntry.findUniqueOrThrow({ where: { id: out.entry!.id } });
    expect(row).toMatchObject({ kind: 'atol-contribution', bookingRef: 'ITN-PKG1' });
  });

  it('records exempt and out-of-scope bookings without posting anything', async () => {
    const before = await db.prisma.journalEntry.count();
    const exempt = await atol.classifyAndRecord(booking('ITN-EXM1', { components: [{ type: 'flight', ticketIssuedAt: '2027-02-10T09:00:00Z' }] }));
    const lta = await atol.classifyAndRecord(booking('ITN-LTA1', { linkedArrangement: true }));
    expect(exempt).toMatchObject({ created: true, entry: null, record: { classification: 'FLIGHT_ONLY_EXEMPT', contribution: null, entryId: null, licenceNumber: '11234' } });
    expect(lta.record.classification).toBe('LINKED_TRAVEL_ARRANGEMENT');
    expect(await db.prisma.journalEntry.count()).toBe(before);
  });

  it('is idempotent per booking: the same facts return the same record and entry', async () => {
    const first = await atol.classifyAndRecord(booking('ITN-REP1'));
    // The same facts written differently: amount without decimals, components in another order, the licence named.
    const again = await atol.classifyAndRecord(
      booking('ITN-REP1', { revenue: { amount: '1500', currency: 'GBP' }, components: [{ type: 'hotel' }, { type: 'flight' }], licenceNumber: '11234' }),
    );
    expect(again).toMatchObject({ created: false, record: first.record, rule: first.rule, entry: { id: first.entry!.id } });
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: 'atol-apc:ITN-REP1' } })).toBe(1);
  });

  it('refuses other facts for a classified booking, changing nothing', async () => {
    await atol.classifyAndRecord(booking('ITN-CON1'));
    const payableBefore = await payable();
    await expect(atol.classifyAndRecord(booking('ITN-CON1', { passengers: 4, revenue: { amount: '1600.00', currency: 'GBP' } }))).rejects.toMatchObject({
      kind: 'booking-conflict',
      message: 'Booking ITN-CON1 was already classified with other facts: passengers was 2, now 4; revenue was 1500.00 GBP, now 1600.00 GBP',
    });
    await expect(atol.classifyAndRecord(booking('ITN-CON1', { bookingDate: '2027-02-11' }))).rejects.toThrow('other facts: bookingDate was 2027-02-10, now 2027-02-11');
    // Components are only in the facts hash: the change is named as far as the record can tell.
    await expect(atol.classifyAndRecord(booking('ITN-CON1', { components: [{ type: 'flight' }] }))).rejects.toThrow(
      'other facts: the components (or their ticket dates) or the linked-arrangement flag differ from those first classified; classification was PACKAGE, now FLIGHT_ONLY',
    );
    await expect(atol.classifyAndRecord(booking('ITN-CON1', { components: [{ type: 'flight' }, { type: 'tour' }] }))).rejects.toThrow(
      /other facts: the components \(or their ticket dates\) or the linked-arrangement flag differ from those first classified$/,
    );
    await expect(atol.classifyAndRecord(booking('ITN-CON1', { linkedArrangement: true }))).rejects.toMatchObject({ kind: 'booking-conflict' });
    // A changed booking is refused even when it could no longer be classified at all.
    await expect(atol.classifyAndRecord(booking('ITN-CON1', { bookingDate: '2017-05-01', departureDate: '2017-06-01' }))).rejects.toMatchObject({ kind: 'booking-conflict' });
    expect(await payable()).toBe(payableBefore);
    expect((await atol.getRecord('ITN-CON1')).passengers).toBe(2);
  });

  it('completes a classification whose APC was posted before a crash, posting it once', async () => {
    const input = booking('ITN-CRASH1', { components: [{ type: 'flight' }] });
    // What the first attempt left behind: the entry under its key, but no record.
    const posted = await ledger.post(
      contributionEntry({ bookingRef: 'ITN-CRASH1', bookingDate: '2027-02-10', passengers: 2, rate: DEFAULT_CONTRIBUTION_RATES[0]!, amount: { amount: '5.00', currency: 'GBP' } }),
    );
    const out = await atol.classifyAndRecord(input);
    expect(out).toMatchObject({ created: true, record: { classification: 'FLIGHT_ONLY', entryId: posted.id } });
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: 'atol-apc:ITN-CRASH1' } })).toBe(1);
  });

  it('never classifies by default: no rule in force is an error and nothing is written', async () => {
    const entries = await db.prisma.journalEntry.count();
    await expect(atol.classifyAndRecord(booking('ITN-OLD1', { bookingDate: '2017-05-01' }))).rejects.toMatchObject({ kind: 'no-rules-in-force' });
    await expect(atol.classifyAndRecord(booking('ITN-BAD1', { passengers: 0, revenue: { amount: '1.001', currency: 'GBP' } }))).rejects.toMatchObject({
      kind: 'invalid-input',
      problems: [{ path: 'passengers' }, { path: 'revenue/amount' }],
    });
    expect(await db.prisma.atolBookingRecord.count({ where: { bookingRef: { in: ['ITN-OLD1', 'ITN-BAD1'] } } })).toBe(0);
    expect(await db.prisma.journalEntry.count()).toBe(entries);
  });

  it('records the licence a booking is sold under: one named and valid then, or the only one in force; protected needs one', async () => {
    const entries = await db.prisma.journalEntry.count();
    // Licence 11234 is valid from 2026-10-01 to 2027-09-30 and is the only one registered.
    await expect(atol.classifyAndRecord(booking('ITN-NOLIC1', { bookingDate: '2026-09-30' }))).rejects.toMatchObject({
      kind: 'no-licence-in-force',
      message:
        'Booking ITN-NOLIC1 is ATOL-protected (PACKAGE) but no ATOL licence is valid on its booking date 2026-09-30: ' +
        'a UK seller may not sell ATOL-protected bookings without a licence; register the licence or correct its validity dates',
    });
    await expect(atol.classifyAndRecord(booking('ITN-NOLIC2', { bookingDate: '2027-10-01', departureDate: '2027-11-01', components: [{ type: 'flight' }] }))).rejects.toMatchObject({
      kind: 'no-licence-in-force',
    });
    await expect(atol.classifyAndRecord(booking('ITN-NOLIC3', { licenceNumber: '77777' }))).rejects.toMatchObject({
      kind: 'invalid-licence',
      problems: [{ path: 'licenceNumber', message: 'no ATOL licence 77777 is registered' }],
    });
    await expect(atol.classifyAndRecord(booking('ITN-NOLIC4', { bookingDate: '2027-10-01', departureDate: '2027-11-01', licenceNumber: '11234' }))).rejects.toMatchObject({
      kind: 'invalid-licence',
      problems: [{ path: 'licenceNumber', message: 'licence 11234 is valid from 2026-10-01 to 2027-09-30, not on the booking date 2027-10-01' }],
    });
    expect(await db.prisma.atolBookingRecord.count({ where: { bookingRef: { startsWith: 'ITN-NOLIC' } } })).toBe(0);
    expect(await db.prisma.journalEntry.count()).toBe(entries);
    // Outside ATOL no licence is needed: recorded without one.
    const abroad = await atol.classifyAndRecord(booking('ITN-NOLIC5', { bookingDate: '2026-09-30', sellerCountry: 'IE' }));
    expect(abroad.record).toMatchObject({ classification: 'NOT_APPLICABLE', licenceNumber: null, bookingDate: '2026-09-30' });
  });

  it('adds rule versions that apply from their effective date; a repeat is harmless, a clash refused', async () => {
    // Illustrative change from 2027-06-01: car hire no longer makes a flight a package. A change
    // of meaning is a set of versions: the package rule and the flight-only rule both move.
    const notCar = ['hotel', 'transfer', 'tour', 'cruise', 'other'] as const;
    const v2 = { ...DEFAULT_ATOL_RULES.find((r) => r.name === 'flight-package')!, effectiveFrom: '2027-06-01', criteria: { hasFlight: true, otherComponents: { min: 1, of: [...notCar] } } };
    const onlyV2 = { ...DEFAULT_ATOL_RULES.find((r) => r.name === 'flight-only')!, effectiveFrom: '2027-06-01', criteria: { hasFlight: true, otherComponents: { max: 0, of: [...notCar] } } };
    expect(await atol.addRuleVersion(v2)).toMatchObject({ created: true, rule: { name: 'flight-package', effectiveFrom: '2027-06-01' } });
    expect((await atol.addRuleVersion(onlyV2)).created).toBe(true);
    expect((await atol.addRuleVersion({ ...v2, criteria: { otherComponents: { of: [...notCar], min: 1 }, hasFlight: true } })).created).toBe(false);
    await expect(atol.addRuleVersion({ ...v2, priority: 41 })).rejects.toMatchObject({
      kind: 'rule-conflict',
      message: expect.stringMatching(/^Rule "flight-package" already has a version effective from 2027-06-01 \(id [0-9a-f-]{36}\) with other content \(priority 40, not 41\)/),
    });
    // Racing callers: the unique index on (name, effectiveFrom) lets one version in; the same
    // content again is a repeat, other content a conflict.
    const race = { name: 'race-rule', priority: 5, effectiveFrom: '2030-01-01', criteria: { hasFlight: false }, classification: 'NOT_APPLICABLE' as const };
    const same = await Promise.all([atol.addRuleVersion(race), atol.addRuleVersion(race)]);
    expect(same.map((r) => r.created).sort()).toEqual([false, true]);
    const clash = await Promise.allSettled([atol.addRuleVersion({ ...race, effectiveFrom: '2030-02-01' }), atol.addRuleVersion({ ...race, effectiveFrom: '2030-02-01', priority: 6 })]);
    expect(clash.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(clash.find((r) => r.status === 'rejected')).toMatchObject({ reason: { kind: 'rule-conflict', message: expect.stringMatching(/effective from 2030-02-01 .*priority [56], not [56]/) } });
    expect(await db.prisma.atolRule.count({ where: { name: 'race-rule' } })).toBe(2);
    await expect(atol.addRuleVersion({ ...v2, classification: 'HOLIDAY' })).rejects.toMatchObject({ kind: 'invalid-input', problems: [{ path: 'classification' }] });

    const flightAndCar = { components: [{ type: 'flight' as const }, { type: 'car' as const }] };
    expect((await atol.classifyAndRecord(booking('ITN-CAR1', { ...flightAndCar, bookingDate: '2027-05-31', departureDate: '2027-07-01' }))).record.classification).toBe('PACKAGE');
    expect((await atol.classifyAndRecord(booking('ITN-CAR2', { ...flightAndCar, bookingDate: '2027-06-01', departureDate: '2027-07-01' }))).record.classification).toBe('FLIGHT_ONLY');
  });

  it('returns a quarter and a year of protected passengers on departure-date basis', async () => {
    await atol.classifyAndRecord(booking('ITN-EUR1', { passengers: 1, revenue: { amount: '800.00', currency: 'EUR' }, departureDate: '2027-12-31' }));
    await atol.classifyAndRecord(booking('ITN-NEXT', { departureDate: '2028-01-01' }));
    const ret = await atol.passengerReturn('11234', 2027);
    // Q1: PKG1 (3), REP1 (2), CON1 (2) packages; CRASH1 (2) flight only. Exempt and LTA bookings are not counted.
    expect(ret.periods[0]).toMatchObject({
      period: '2027-Q1',
      bookings: 4,
      passengers: { package: 7, flightOnly: 2, total: 9 },
      apcDue: [{ amount: '22.50', currency: 'GBP' }],
      revenue: [
        { currency: 'EUR', total: '0.00' },
        { currency: 'GBP', package: '4500.00', flightOnly: '1500.00', total: '6000.00' },
      ],
    });
    expect(ret.periods[2]).toMatchObject({ period: '2027-Q3', bookings: 2, passengers: { package: 2, flightOnly: 2 } });
    expect(ret.total).toMatchObject({ bookings: 7, passengers: { total: 14 }, apcDue: [{ amount: '35.00', currency: 'GBP' }] });
    expect(ret.total.revenue).toEqual([
      { currency: 'EUR', package: '800.00', flightOnly: '0.00', total: '800.00' },
      { currency: 'GBP', package: '6000.00', flightOnly: '3000.00', total: '9000.00' },
    ]);
    // Everything posted for 2027 departures and the one in 2028 is in the payable.
    expect(await payable()).toBe('-40.00');
    await expect(atol.passengerReturn('404', 2027)).rejects.toMatchObject({ kind: 'licence-not-found' });
  });

  it('returns per licence: a record without one counts only while the company has a single licence', async () => {
    // A record from before records kept their licence, booking date and facts hash, with its APC entry.
    const legacy = { passengers: 1, departureDate: '2027-05-15', revenue: { amount: '100.00', currency: 'GBP' } };
    const apc = await ledger.post(
      contributionEntry({ bookingRef: 'ITN-LEGACY1', bookingDate: '2027-02-10', passengers: 1, rate: DEFAULT_CONTRIBUTION_RATES[0]!, amount: { amount: '2.50', currency: 'GBP' } }),
    );
    await db.prisma.atolBookingRecord.create({
      data: { bookingRef: 'ITN-LEGACY1', classification: 'PACKAGE', sellerCountry: 'GB', passengers: 1, departureDate: new Date('2027-05-15T00:00:00Z'), revenue: '100.00', currency: 'GBP', contribution: '2.50', contributionCurrency: 'GBP', entryId: apc.id },
    });
    const only = await atol.passengerReturn('11234', 2027);
    expect(only.periods[1]).toMatchObject({ period: '2027-Q2', bookings: 1, passengers: { package: 1 }, apcDue: [{ amount: '2.50', currency: 'GBP' }] });
    expect(only.total.bookings).toBe(8);
    // Such a record is compared on its columns and classification (it has no facts hash).
    expect(await atol.classifyAndRecord(booking('ITN-LEGACY1', legacy))).toMatchObject({ created: false, rule: { name: 'flight-package' }, entry: { id: apc.id }, record: { licenceNumber: null } });
    await expect(atol.classifyAndRecord(booking('ITN-LEGACY1', { ...legacy, passengers: 2 }))).rejects.toThrow('other facts: passengers was 1, now 2');

    await atol.createLicence({ number: '22345', holder: 'Itinera Holidays Ltd', turnoverBand: 'OVER_50M', validFrom: '2027-01-01' });
    // Two licences valid on the booking date: a protected booking must name its own.
    await expect(atol.classifyAndRecord(booking('ITN-TWO1'))).rejects.toMatchObject({
      kind: 'licence-ambiguous',
      problems: [{ path: 'licenceNumber', message: 'must name the licence the booking is sold under: one of 11234, 22345' }],
    });
    const two = { licenceNumber: '22345', passengers: 4, departureDate: '2027-04-02' };
    expect((await atol.classifyAndRecord(booking('ITN-TWO1', two))).record).toMatchObject({ licenceNumber: '22345', contribution: { amount: '10.00' } });
    expect((await atol.classifyAndRecord(booking('ITN-TWO1', { ...two, licenceNumber: undefined }))).created).toBe(false);
    await expect(atol.classifyAndRecord(booking('ITN-TWO1', { ...two, licenceNumber: '11234' }))).rejects.toThrow('other facts: licenceNumber was 22345, now 11234');
    // Outside ATOL, with two licences in force and none named, it is recorded without one.
    expect((await atol.classifyAndRecord(booking('ITN-TWO2', { components: [{ type: 'flight', ticketIssuedAt: '2027-02-10' }] }))).record.licenceNumber).toBeNull();

    const first = await atol.passengerReturn('11234', 2027);
    expect(first.periods[1]).toMatchObject({ period: '2027-Q2', bookings: 0 });
    expect(first.total).toMatchObject({ bookings: 7, passengers: { total: 14 }, apcDue: [{ amount: '35.00', currency: 'GBP' }] });
    const second = await atol.passengerReturn('22345', 2027);
    expect(second.licence).toMatchObject({ number: '22345', returnFrequency: 'MONTHLY' });
    expect(second.periods[3]).toMatchObject({ period: '2027-04', bookings: 1, passengers: { package: 4 }, apcDue: [{ amount: '10.00', currency: 'GBP' }] });
    expect(second.total).toMatchObject({ bookings: 1, passengers: { total: 4 } });
  });

  it('raises non-retryable failures from the activity', async () => {
    const { classifyAtolBooking } = createAtolActivities({ atol });
    await expect(classifyAtolBooking(booking('ITN-PKG1', { passengers: 9 }))).rejects.toMatchObject({ type: 'AtolBookingConflict', nonRetryable: true });
    await expect(classifyAtolBooking(booking('ITN-OLD2', { bookingDate: '2017-05-01' }))).rejects.toMatchObject({ type: 'AtolNotClassifiable', nonRetryable: true });
    await expect(classifyAtolBooking(booking('ITN-TWO3'))).rejects.toMatchObject({ type: 'AtolLicenceInvalid', nonRetryable: true, details: [[{ path: 'licenceNumber' }]] });
    await expect(classifyAtolBooking(booking('ITN-TWO3', { passengers: 0 }))).rejects.toMatchObject({ type: 'AtolBookingInvalid', nonRetryable: true });
    expect(await classifyAtolBooking(booking('ITN-PKG1', { passengers: 3 }))).toMatchObject({ created: false });
  });

  // Last: it configures the base currency, which every later posting would be translated into.
  it('raises a missing base-currency rate as the non-retryable LedgerRateMissing, recording nothing, and completes once the rate is there', async () => {
    await db.prisma.financeSettings.create({ data: { baseCurrency: 'EUR', rateSource: 'MANUAL', activeCurrencies: ['EUR', 'GBP'] } });
    const { classifyAtolBooking } = createAtolActivities({ atol: new PrismaAtolStore(db.prisma, new PrismaLedger(db.prisma)) });
    const input = booking('ITN-FX1', { licenceNumber: '11234' });
    const failure = await classifyAtolBooking(input).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'LedgerRateMissing', nonRetryable: true, message: expect.stringContaining('Cannot translate GBP into the base currency EUR') });
    expect(await db.prisma.atolBookingRecord.count({ where: { bookingRef: 'ITN-FX1' } })).toBe(0);
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: 'atol-apc:ITN-FX1' } })).toBe(0);

    // 1 GBP = 1.17 EUR on the booking date: the APC of GBP 5.00 is EUR 5.85 in base.
    await new PrismaFxRates(db.prisma).importQuotes([{ source: 'MANUAL', base: 'GBP', quote: 'EUR', rate: '1.17', rateDate: '2027-02-10' }]);
    const out = await classifyAtolBooking(input);
    expect(out.entry!.lines[0]!.translation).toMatchObject({ base: { amount: '5.85', currency: 'EUR' }, rate: '1.17', rateDate: '2027-02-10' });
  });
}
