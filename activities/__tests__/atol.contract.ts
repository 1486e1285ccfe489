import { ApplicationFailure } from '@temporalio/common';
import type { AtolBookingInput } from '../../domain/atol/classification';
import { contributionEntry } from '../../domain/atol/contribution';
import { DEFAULT_ATOL_RULES, DEFAULT_CONTRIBUTION_RATES } from '../../domain/atol/default-rules';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { Database } from '../../infra/database';
import { createAtolActivities } from '../atol.activities';
import { PrismaAtolStore } from '../atol.prisma';
import { seedChartOfAccounts } from '../chart-seed.prisma';
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

  it('classifies a package, posts its APC to the payable at booking time, and records it', async () => {
    const out = await atol.classifyAndRecord(booking('ITN-PKG1', { passengers: 3 }));
    expect(out).toMatchObject({
      created: true,
      rule: { name: 'flight-package' },
      record: { classification: 'PACKAGE', passengers: 3, contribution: { amount: '7.50', currency: 'GBP' }, revenue: { amount: '1500.00', currency: 'GBP' }, departureDate: '2027-03-20' },
      entry: { idempotencyKey: 'atol-apc:ITN-PKG1', accountingDate: '2027-02-10' },
    });
    expect(out.record.entryId).toBe(out.entry!.id);
    expect(await payable()).toBe('-7.50');
    expect((await ledger.balance('expense:atol-contributions', 'GBP')).net).toBe('7.50');
    const row = await db.prisma.journalEntry.findUniqueOrThrow({ where: { id: out.entry!.id } });
    expect(row).toMatchObject({ kind: 'atol-contribution', bookingRef: 'ITN-PKG1' });
  });

  it('records exempt and out-of-scope bookings without posting anything', async () => {
    const before = await db.prisma.journalEntry.count();
    const exempt = await atol.classifyAndRecord(booking('ITN-EXM1', { components: [{ type: 'flight', ticketIssuedAt: '2027-02-10T09:00:00Z' }] }));
    const lta = await atol.classifyAndRecord(booking('ITN-LTA1', { linkedArrangement: true }));
    expect(exempt).toMatchObject({ created: true, entry: null, record: { classification: 'FLIGHT_ONLY_EXEMPT', contribution: null, entryId: null } });
    expect(lta.record.classification).toBe('LINKED_TRAVEL_ARRANGEMENT');
    expect(await db.prisma.journalEntry.count()).toBe(before);
  });

  it('is idempotent per booking: the same facts return the same record and entry', async () => {
    const first = await atol.classifyAndRecord(booking('ITN-REP1'));
    const again = await atol.classifyAndRecord(booking('ITN-REP1', { revenue: { amount: '1500', currency: 'GBP' } }));
    expect(again).toMatchObject({ created: false, record: first.record, entry: { id: first.entry!.id } });
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: 'atol-apc:ITN-REP1' } })).toBe(1);
  });

  it('refuses other facts for a classified booking, changing nothing', async () => {
    await atol.classifyAndRecord(booking('ITN-CON1'));
    const payableBefore = await payable();
    await expect(atol.classifyAndRecord(booking('ITN-CON1', { passengers: 4 }))).rejects.toMatchObject({
      kind: 'booking-conflict',
      message: expect.stringContaining('passengers was 2, now 4; contribution was 5.00 GBP, now 10.00 GBP'),
    });
    await expect(atol.classifyAndRecord(booking('ITN-CON1', { components: [{ type: 'flight' }] }))).rejects.toThrow('classification was PACKAGE, now FLIGHT_ONLY');
    // A different booking date shows only in the APC entry: the ledger refuses the key's new content.
    await expect(atol.classifyAndRecord(booking('ITN-CON1', { bookingDate: '2027-02-11' }))).rejects.toMatchObject({ kind: 'booking-conflict' });
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

  it('adds rule versions that apply from their effective date; a repeat is harmless, a clash refused', async () => {
    // Illustrative change from 2027-06-01: car hire no longer makes a flight a package. A change
    // of meaning is a set of versions: the package rule and the flight-only rule both move.
    const notCar = ['hotel', 'transfer', 'tour', 'cruise', 'other'] as const;
    const v2 = { ...DEFAULT_ATOL_RULES.find((r) => r.name === 'flight-package')!, effectiveFrom: '2027-06-01', criteria: { hasFlight: true, otherComponents: { min: 1, of: [...notCar] } } };
    const onlyV2 = { ...DEFAULT_ATOL_RULES.find((r) => r.name === 'flight-only')!, effectiveFrom: '2027-06-01', criteria: { hasFlight: true, otherComponents: { max: 0, of: [...notCar] } } };
    expect(await atol.addRuleVersion(v2)).toMatchObject({ created: true, rule: { name: 'flight-package', effectiveFrom: '2027-06-01' } });
    expect((await atol.addRuleVersion(onlyV2)).created).toBe(true);
    expect((await atol.addRuleVersion({ ...v2, criteria: { otherComponents: { of: [...notCar], min: 1 }, hasFlight: true } })).created).toBe(false);
    await expect(atol.addRuleVersion({ ...v2, priority: 41 })).rejects.toMatchObject({ kind: 'rule-conflict' });
    await expect(atol.addRuleVersion({ ...v2, classification: 'HOLIDAY' })).rejects.toMatchObject({ kind: 'invalid-input', problems: [{ path: 'classification' }] });

    const flightAndCar = { components: [{ type: 'flight' as const }, { type: 'car' as const }] };
    expect((await atol.classifyAndRecord(booking('ITN-CAR1', { ...flightAndCar, bookingDate: '2027-05-31', departureDate: '2027-07-01' }))).record.classification).toBe('PACKAGE');
    expect((await atol.classifyAndRecord(booking('ITN-CAR2', { ...flightAndCar, bookingDate: '2027-06-01', departureDate: '2027-07-01' }))).record.classification).toBe('FLIGHT_ONLY');
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

  it('raises non-retryable failures from the activity', async () => {
    const { classifyAtolBooking } = createAtolActivities({ atol });
    await expect(classifyAtolBooking(booking('ITN-PKG1', { passengers: 9 }))).rejects.toMatchObject({ type: 'AtolBookingConflict', nonRetryable: true });
    await expect(classifyAtolBooking(booking('ITN-OLD2', { bookingDate: '2017-05-01' }))).rejects.toBeInstanceOf(ApplicationFailure);
    expect(await classifyAtolBooking(booking('ITN-PKG1', { passengers: 3 }))).toMatchObject({ created: false });
  });
}
