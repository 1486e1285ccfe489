import fc from 'fast-check';
import { Dec, type MoneyJson } from '../../money/money';
import type { Offer } from '../model';
import { accountingFigures, refundFigures, ticketingPlan, TicketingError } from '../ticketing';

const NOW = Date.UTC(2027, 2, 1, 9, 0);
const HOUR = 3_600_000;
const m = (amount: string, currency = 'GBP'): MoneyJson => ({ amount, currency });

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TicketingError);
    return { code: (err as TicketingError).code, message: (err as TicketingError).message };
  }
  throw new Error('expected a TicketingError');
};

describe('ticketingPlan', () => {
  const offer = { id: 'off_1', expiresAt: NOW + HOUR, instantPaymentRequired: false, ticketingDeadline: NOW + 72 * HOUR };

  it('holds a holdable fare until its ticketing deadline', () => {
    expect(ticketingPlan(offer, NOW)).toEqual({ mode: 'deferred', deadline: NOW + 72 * HOUR, payBy: NOW + 72 * HOUR });
  });

  it('pays and tickets an instant-payment fare at booking, before the offer expires', () => {
    expect(ticketingPlan({ ...offer, instantPaymentRequired: true, ticketingDeadline: null }, NOW)).toEqual({ mode: 'instant', deadline: null, payBy: NOW + HOUR });
  });

  it('refuses an expired offer, a passed deadline, and a hold without a deadline', () => {
    expect(errorOf(() => ticketingPlan(offer, NOW + HOUR))).toEqual({ code: 'offer-expired', message: 'Offer off_1 expired at 2027-03-01T10:00:00.000Z: search again' });
    expect(errorOf(() => ticketingPlan({ ...offer, ticketingDeadline: NOW }, NOW))).toMatchObject({ code: 'deadline-passed' });
    expect(errorOf(() => ticketingPlan({ ...offer, ticketingDeadline: null }, NOW))).toMatchObject({ code: 'no-deadline' });
  });
});

describe('accountingFigures', () => {
  const order = { id: 'ord_1', base: m('300.00'), taxTotal: m('112.30'), total: m('412.30') };
  const fares: Offer['fares'] = [
    {
      passengerType: 'ADT',
      count: 2,
      fare: { fareBasis: 'YLOWGB', base: m('120.00'), taxes: [{ code: 'GB', amount: m('13.00') }, { code: 'UB', amount: m('31.15') }], total: m('164.15') },
    },
    { passengerType: 'CHD', count: 1, fare: { fareBasis: 'YLOWGBCH', base: m('60.00'), taxes: [{ code: 'UB', amount: m('24.00') }], total: m('84.00') } },
  ];

  it('splits the total into fare, taxes by code, commission on the base, and the airline settlement', () => {
    expect(accountingFigures({ order, commissionPercent: '7', fares })).toEqual({
      currency: 'GBP',
      fare: m('300.00'),
      taxes: { total: m('112.30'), byCode: [{ code: 'GB', amount: m('26.00') }, { code: 'UB', amount: m('86.30') }] },
      total: m('412.30'),
      commissionPercent: '7',
      commission: m('21.00'),
      airlineSettlement: m('391.30'),
    });
  });

  it('without `fares`, taxes by code come from the order\'s own fares; explicit `fares` win; an order without fares has none', () => {
    const byCode = [{ code: 'GB', amount: m('26.00') }, { code: 'UB', amount: m('86.30') }];
    expect(accountingFigures({ order: { ...order, fares }, commissionPercent: '7' })).toEqual(accountingFigures({ order, commissionPercent: '7', fares }));
    expect(accountingFigures({ order: { ...order, fares }, commissionPercent: '7' }).taxes.byCode).toEqual(byCode);
    // Explicit fares are used even when the order carries (other) fares.
    const lumped: Offer['fares'] = [{ passengerType: 'ADT', count: 1, fare: { fareBasis: '', base: m('300.00'), taxes: [{ code: 'XT', amount: m('112.30') }], total: m('412.30') } }];
    expect(accountingFigures({ order: { ...order, fares: lumped }, commissionPercent: '7' }).taxes.byCode).toEqual([{ code: 'XT', amount: m('112.30') }]);
    expect(accountingFigures({ order: { ...order, fares: lumped }, commissionPercent: '7', fares }).taxes.byCode).toEqual(byCode);
    // An order whose fares are empty (a supplier that gave none) has no split, as before.
    expect(accountingFigures({ order: { ...order, fares: [] }, commissionPercent: '7' }).taxes.byCode).toEqual([]);
    // The order's fares must add up to its tax total, and the error names them.
    expect(errorOf(() => accountingFigures({ order: { ...order, fares: fares.slice(0, 1) }, commissionPercent: '7' }))).toMatchObject({
      code: 'inconsistent-amounts',
      message: 'Order ord_1: tax lines add up to 88.30 (Order ord_1 fares), the tax total is 112.30 GBP',
    });
    expect(errorOf(() => accountingFigures({ order: { ...order, fares: [{ ...fares[1]!, fare: { ...fares[1]!.fare, taxes: [{ code: 'UB', amount: m('24.00', 'EUR') }] } }] }, commissionPercent: '7' }))).toEqual({
      code: 'currency-mismatch',
      message: 'Order ord_1 fares[0].taxes[0] (UB) is in EUR, the order in GBP',
    });
  });

  it('rounds commission HALF_UP to the currency minor units (JPY 0, KWD 3)', () => {
    // 0.5% of 1,001.00 = 5.005 -> 5.01 and 10% of JPY 25 = 2.5 -> 3 (HALF_EVEN would give 5.00 and 2).
    expect(accountingFigures({ order: { id: 'o', base: m('1001.00'), taxTotal: m('0.00'), total: m('1001.00') }, commissionPercent: '0.5' }).commission).toEqual(m('5.01'));
    expect(accountingFigures({ order: { id: 'o', base: m('25', 'JPY'), taxTotal: m('0', 'JPY'), total: m('25', 'JPY') }, commissionPercent: '10' })).toMatchObject({
      commission: m('3', 'JPY'),
      airlineSettlement: m('22', 'JPY'),
    });
    expect(accountingFigures({ order: { id: 'o', base: m('100.005', 'KWD'), taxTotal: m('1.000', 'KWD'), total: m('101.005', 'KWD') }, commissionPercent: '5' })).toMatchObject({
      commission: m('5.000', 'KWD'),
      airlineSettlement: m('96.005', 'KWD'),
      taxes: { total: m('1.000', 'KWD'), byCode: [] },
    });
  });

  it('refuses mixed currencies, totals that do not add up, tax lines that miss the total, and bad percentages', () => {
    expect(errorOf(() => accountingFigures({ order: { ...order, taxTotal: m('112.30', 'EUR') }, commissionPercent: '7' }))).toEqual({
      code: 'currency-mismatch',
      message: 'Order ord_1 tax total is in EUR, the order in GBP',
    });
    expect(errorOf(() => accountingFigures({ order: { ...order, total: m('412.31') }, commissionPercent: '7' }))).toEqual({
      code: 'inconsistent-amounts',
      message: 'Order ord_1: base 300.00 + taxes 112.30 ≠ total 412.31 GBP',
    });
    expect(errorOf(() => accountingFigures({ order, commissionPercent: '7', fares: fares.slice(0, 1) }))).toMatchObject({ code: 'inconsistent-amounts', message: expect.stringContaining('tax lines add up to 88.30') });
    expect(errorOf(() => accountingFigures({ order: { ...order, base: m('300.001') }, commissionPercent: '7' }))).toMatchObject({ code: 'inconsistent-amounts' });
    for (const pct of ['-1', '100.01', 'seven', '']) expect(errorOf(() => accountingFigures({ order, commissionPercent: pct }))).toMatchObject({ code: 'invalid-commission' });
  });

  it('property: settlement + commission = total; commission is never negative nor above the base', () => {
    const currencies = [['JPY', 0], ['GBP', 2], ['KWD', 3]] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...currencies),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc.integer({ min: 0, max: 10_000 }),
        ([currency, exp], baseMinor, taxMinor, pctHundredths) => {
          const amt = (minor: bigint) => new Dec(minor.toString()).dividedBy(10 ** exp).toFixed(exp);
          const f = accountingFigures({
            order: { id: 'p', base: m(amt(baseMinor), currency), taxTotal: m(amt(taxMinor), currency), total: m(amt(baseMinor + taxMinor), currency) },
            commissionPercent: new Dec(pctHundredths).dividedBy(100).toFixed(),
          });
          const commission = new Dec(f.commission.amount);
          expect(new Dec(f.airlineSettlement.amount).plus(commission).equals(new Dec(f.total.amount))).toBe(true);
          expect(commission.isNegative() && !commission.isZero()).toBe(false);
          expect(commission.lessThanOrEqualTo(new Dec(f.fare.amount))).toBe(true);
          expect(commission.decimalPlaces()).toBeLessThanOrEqual(exp);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('refundFigures', () => {
  const quote = { id: 'cq_1', penalty: m('75.00'), refundAmount: m('337.30') };

  it('refunds what was paid less the penalty', () => {
    expect(refundFigures(quote, m('412.30'))).toEqual({ paid: m('412.30'), penalty: m('75.00'), refund: m('337.30'), quotedRefund: m('337.30'), discrepancy: m('0.00') });
  });

  it('never refunds a negative amount: the penalty kept is at most what was paid; a quote that disagrees shows a discrepancy', () => {
    expect(refundFigures({ ...quote, penalty: m('500.00'), refundAmount: m('0.00') }, m('412.30'))).toEqual({
      paid: m('412.30'),
      penalty: m('412.30'),
      refund: m('0.00'),
      quotedRefund: m('0.00'),
      discrepancy: m('0.00'),
    });
    expect(refundFigures({ ...quote, refundAmount: m('340.00') }, m('412.30')).discrepancy).toEqual(m('2.70'));
  });

  it('refuses a quote in another currency than the payment', () => {
    expect(errorOf(() => refundFigures({ ...quote, penalty: m('75.00', 'EUR') }, m('412.30')))).toEqual({
      code: 'currency-mismatch',
      message: 'Cancellation quote cq_1 penalty is in EUR, the payment in GBP',
    });
  });

  it('property: refund + penalty kept = paid, refund never negative', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.bigInt({ min: 0n, max: 10n ** 10n }), (paidMinor, penaltyMinor) => {
        const amt = (minor: bigint) => new Dec(minor.toString()).dividedBy(100).toFixed(2);
        const r = refundFigures({ id: 'q', penalty: m(amt(penaltyMinor)), refundAmount: m('0.00') }, m(amt(paidMinor)));
        expect(new Dec(r.refund.amount).plus(r.penalty.amount).equals(new Dec(r.paid.amount))).toBe(true);
        expect(new Dec(r.refund.amount).isNegative()).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
