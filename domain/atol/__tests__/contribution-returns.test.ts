import { contributionDue, contributionEntry, ContributionRateSchema, rateInForce } from '../contribution';
import { DEFAULT_CONTRIBUTION_RATES } from '../default-rules';
import { passengerReturn, passengerReturnCsv, periodsOf, returnFrequencyFor, type ReturnRecord } from '../returns';
import { validateEntry } from '../../ledger/entry';
import { Dec } from '../../money/money';

describe('ATOL Protection Contribution', () => {
  const rate = rateInForce(DEFAULT_CONTRIBUTION_RATES, '2027-03-01');

  it('is GBP 2.50 per passenger on protected bookings, exact, and nothing otherwise', () => {
    expect(contributionDue('PACKAGE', 3, rate)).toEqual({ amount: '7.50', currency: 'GBP' });
    expect(contributionDue('FLIGHT_ONLY', 1, rate)).toEqual({ amount: '2.50', currency: 'GBP' });
    for (const c of ['FLIGHT_ONLY_EXEMPT', 'LINKED_TRAVEL_ARRANGEMENT', 'NOT_APPLICABLE'] as const) expect(contributionDue(c, 3, rate)).toBeNull();
  });

  it('takes the rate in force on the booking date, and refuses a date before any rate', () => {
    const rates = [...DEFAULT_CONTRIBUTION_RATES, { effectiveFrom: '2028-01-01', perPassenger: '3.00', currency: 'GBP' }];
    expect(rateInForce(rates, '2027-12-31').perPassenger).toBe('2.50');
    expect(rateInForce(rates, '2028-01-01').perPassenger).toBe('3.00');
    expect(() => rateInForce(rates, '2012-03-31')).toThrow('No ATOL contribution rate is in force on 2012-03-31');
  });

  it('refuses a rate with more decimals than its currency, so the APC is never rounded', () => {
    expect(ContributionRateSchema.safeParse({ effectiveFrom: '2028-01-01', perPassenger: '2.505', currency: 'GBP' }).error?.issues[0]?.message).toBe(
      'GBP has 2 decimal places; the rate must not have more',
    );
    expect(() => contributionDue('PACKAGE', 3, { effectiveFrom: '2028-01-01', perPassenger: '2.505', currency: 'GBP' })).toThrow(/not a whole amount/);
  });

  it('builds a balanced entry from expense to payable with a stable key', () => {
    const draft = contributionEntry({ bookingRef: 'ITN-1', bookingDate: '2027-03-01', passengers: 3, rate: { ...rate, perPassenger: '2.5' }, amount: { amount: '7.50', currency: 'GBP' } });
    expect(validateEntry(draft)).toEqual([]);
    expect(draft).toMatchObject({
      idempotencyKey: 'atol-apc:ITN-1',
      kind: 'atol-contribution',
      transactionType: 'atol-contribution',
      bookingRef: 'ITN-1',
      description: 'ATOL Protection Contribution for ITN-1: 3 passengers at 2.50 GBP',
      lines: [
        { account: 'expense:atol-contributions', side: 'DEBIT', amount: { amount: '7.50', currency: 'GBP' } },
        { account: 'liability:payable:atol-contributions', side: 'CREDIT', amount: { amount: '7.50', currency: 'GBP' } },
      ],
    });
  });
});

describe('CAA passenger returns', () => {
  const rec = (ref: string, classification: ReturnRecord['classification'], passengers: number, departureDate: string, amount: string, currency = 'GBP'): ReturnRecord => ({
    bookingRef: ref,
    classification,
    passengers,
    departureDate,
    revenue: { amount, currency },
    contribution: classification === 'PACKAGE' || classification === 'FLIGHT_ONLY' ? { amount: new Dec('2.50').times(passengers).toFixed(2), currency: 'GBP' } : null,
  });
  const records = [
    rec('A', 'PACKAGE', 2, '2027-01-15', '1000.00'),
    rec('B', 'FLIGHT_ONLY', 1, '2027-03-31', '199.99'),
    rec('C', 'PACKAGE', 4, '2027-04-01', '2500.00', 'EUR'),
    rec('D', 'FLIGHT_ONLY_EXEMPT', 3, '2027-02-01', '300.00'),
    rec('E', 'PACKAGE', 1, '2026-12-31', '500.00'),
  ];

  it('derives the frequency from the turnover band as configured', () => {
    expect(returnFrequencyFor('OVER_50M')).toBe('MONTHLY');
    expect(returnFrequencyFor('UP_TO_5M')).toBe('QUARTERLY');
    expect(returnFrequencyFor('BIG', [{ band: 'BIG', description: 'x', returnFrequency: 'MONTHLY' }])).toBe('MONTHLY');
    expect(() => returnFrequencyFor('HUGE')).toThrow('Unknown turnover band "HUGE"; known bands: UP_TO_5M, 5M_TO_50M, OVER_50M');
  });

  it('splits a year into months or quarters, with leap days', () => {
    expect(periodsOf(2028, 'MONTHLY')[1]).toEqual({ period: '2028-02', startsOn: '2028-02-01', endsOn: '2028-02-29' });
    expect(periodsOf(2027, 'QUARTERLY').map((p) => `${p.period} ${p.startsOn}..${p.endsOn}`)).toEqual([
      '2027-Q1 2027-01-01..2027-03-31',
      '2027-Q2 2027-04-01..2027-06-30',
      '2027-Q3 2027-07-01..2027-09-30',
      '2027-Q4 2027-10-01..2027-12-31',
    ]);
  });

  it('counts protected bookings by departure date, per classification, revenue per currency', () => {
    const ret = passengerReturn({ number: '11234', holder: 'Itinera Ltd', returnFrequency: 'QUARTERLY' }, 2027, records);
    expect(ret.periods[0]).toEqual({
      period: '2027-Q1',
      startsOn: '2027-01-01',
      endsOn: '2027-03-31',
      bookings: 2,
      passengers: { package: 2, flightOnly: 1, total: 3 },
      revenue: [
        { currency: 'EUR', package: '0.00', flightOnly: '0.00', total: '0.00' },
        { currency: 'GBP', package: '1000.00', flightOnly: '199.99', total: '1199.99' },
      ],
      apcDue: [{ amount: '7.50', currency: 'GBP' }],
    });
    expect(ret.total).toMatchObject({ bookings: 3, passengers: { package: 6, flightOnly: 1, total: 7 }, apcDue: [{ amount: '17.50', currency: 'GBP' }] });
    expect(ret.total.revenue).toEqual([
      { currency: 'EUR', package: '2500.00', flightOnly: '0.00', total: '2500.00' },
      { currency: 'GBP', package: '1000.00', flightOnly: '199.99', total: '1199.99' },
    ]);
  });

  it('writes RFC 4180 CSV with a header, one row per period and a TOTAL row', () => {
    const ret = passengerReturn({ number: '11234', holder: 'Sun, Sea & "Ski" Ltd', returnFrequency: 'QUARTERLY' }, 2027, records.slice(0, 2));
    expect(passengerReturnCsv(ret)).toBe(
      [
        'licence,holder,period,starts_on,ends_on,bookings,package_passengers,flight_only_passengers,total_passengers,apc_due_GBP,package_revenue_GBP,flight_only_revenue_GBP,total_revenue_GBP',
        '11234,"Sun, Sea & ""Ski"" Ltd",2027-Q1,2027-01-01,2027-03-31,2,2,1,3,7.50,1000.00,199.99,1199.99',
        '11234,"Sun, Sea & ""Ski"" Ltd",2027-Q2,2027-04-01,2027-06-30,0,0,0,0,0.00,0.00,0.00,0.00',
        '11234,"Sun, Sea & ""Ski"" Ltd",2027-Q3,2027-07-01,2027-09-30,0,0,0,0,0.00,0.00,0.00,0.00',
        '11234,"Sun, Sea & ""Ski"" Ltd",2027-Q4,2027-10-01,2027-12-31,0,0,0,0,0.00,0.00,0.00,0.00',
        '11234,"Sun, Sea & ""Ski"" Ltd",TOTAL,2027-01-01,2027-12-31,2,2,1,3,7.50,1000.00,199.99,1199.99',
        '',
      ].join('\r\n'),
    );
  });
});
