import fc from 'fast-check';
import { minorUnits } from '../../money/currency';
import { Dec } from '../../money/money';
import { addDays } from '../../catalog/dates';
import { DAY_MS, endOfDateIn } from '../../time/instant';
import { DEFAULT_PAYMENT_TERMS, type Installment, type PaymentTerms } from '../model';
import {
  applyPayment,
  BookingRuleError,
  nextUnpaid,
  outstanding,
  overdue,
  planPayments,
  reminderAt,
  remindersDue,
  replan,
  resolveTerms,
} from '../payment-plan';

const sum = (s: Installment[]) => s.reduce((a, i) => a.plus(i.amount.amount), new Dec(0));
const terms = (t: Partial<PaymentTerms> = {}): PaymentTerms => ({ ...DEFAULT_PAYMENT_TERMS, ...t });
const base = { bookedOn: '2027-01-10', departureDate: '2027-10-01', timeZone: 'Europe/London' };

describe('endOfDateIn', () => {
  it('is 23:59:59.999 local time, across DST', () => {
    expect(endOfDateIn('2027-01-15', 'Europe/London')).toBe(Date.parse('2027-01-15T23:59:59.999Z'));
    expect(endOfDateIn('2027-07-15', 'Europe/London')).toBe(Date.parse('2027-07-15T22:59:59.999Z'));
    expect(endOfDateIn('2027-03-28', 'Europe/London')).toBe(Date.parse('2027-03-28T22:59:59.999Z')); // spring-forward day
    expect(endOfDateIn('2027-10-31', 'Europe/London')).toBe(Date.parse('2027-10-31T23:59:59.999Z')); // fall-back day
    expect(endOfDateIn('2027-07-15', 'America/New_York')).toBe(Date.parse('2027-07-16T03:59:59.999Z'));
    expect(endOfDateIn('2027-07-15', 'Asia/Kolkata')).toBe(Date.parse('2027-07-15T18:29:59.999Z'));
    expect(endOfDateIn('2027-01-15', 'Pacific/Chatham')).toBe(Date.parse('2027-01-15T10:14:59.999Z'));
  });

  it('is the last millisecond of that local date in any zone', () => {
    const zones = ['Europe/London', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Tokyo', 'America/Havana', 'Pacific/Apia'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * 365 }), fc.constantFrom(...zones), (d, zone) => {
        const date = addDays('2026-01-01', d);
        const t = endOfDateIn(date, zone);
        const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
        expect(fmt.format(t)).toBe(date);
        expect(fmt.format(t + 1)).not.toBe(date);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses bad input', () => {
    expect(() => endOfDateIn('2027-02-30', 'Europe/London')).toThrow('Not a calendar date: 2027-02-30');
    expect(() => endOfDateIn('2027-02-03', 'Mars/Olympus')).toThrow('Unknown IANA time zone: Mars/Olympus');
  });

  it('answers a date asked again the same, per zone, and a refusal is never remembered as an answer', () => {
    const first = endOfDateIn('2028-03-26', 'Europe/Paris');
    expect(first).toBe(Date.parse('2028-03-26T21:59:59.999Z'));
    expect(endOfDateIn('2028-03-26', 'Europe/Paris')).toBe(first);
    expect(endOfDateIn('2028-03-26', 'America/New_York')).toBe(Date.parse('2028-03-27T03:59:59.999Z'));
    for (let i = 0; i < 2; i++) expect(() => endOfDateIn('2028-02-30', 'Europe/Paris')).toThrow('Not a calendar date: 2028-02-30');
  });
});

describe('resolveTerms', () => {
  it('fills in the defaults', () => {
    expect(resolveTerms(undefined)).toEqual(DEFAULT_PAYMENT_TERMS);
    expect(resolveTerms({ depositAmount: { amount: '200.00', currency: 'EUR' }, installments: 3 })).toEqual({
      ...DEFAULT_PAYMENT_TERMS,
      depositPercent: null,
      depositAmount: { amount: '200.00', currency: 'EUR' },
      installments: 3,
    });
  });

  it('names every bad field', () => {
    const err = (() => {
      try {
        resolveTerms({ depositPercent: '0', depositAmount: { amount: '1.234', currency: 'EUR' }, installments: 25, finalDueDaysBefore: -1, reminderDaysBefore: 1.5, graceDays: 61 });
      } catch (e) {
        return e as BookingRuleError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(BookingRuleError);
    expect(err.problems).toEqual([
      'paymentTerms: give depositPercent or depositAmount, not both',
      'depositPercent must be more than 0 and at most 100 (got "0")',
      'depositAmount: EUR has 2 decimal places; "1.234" has 3',
      'installments must be a whole number from 0 to 24 (got 25)',
      'finalDueDaysBefore must be a whole number from 0 to 365 (got -1)',
      'reminderDaysBefore must be a whole number from 0 to 60 (got 1.5)',
      'graceDays must be a whole number from 0 to 60 (got 61)',
    ]);
    expect(() => resolveTerms({ depositPercent: '100.5' })).toThrow('at most 100');
    expect(() => resolveTerms({ depositPercent: 'ten' })).toThrow('depositPercent must be a decimal string');
  });
});

describe('planPayments', () => {
  it('plans deposit, evenly spaced installments and the balance', () => {
    const plan = planPayments({ ...base, total: { amount: '1000.00', currency: 'EUR' }, terms: terms({ installments: 2 }) });
    // balance due 42 days before 2027-10-01 = 2027-08-20; span 222 days -> +74, +148.
    expect(plan.map((i) => [i.id, i.kind, i.dueDate, i.amount.amount, i.paid, i.reminded])).toEqual([
      ['deposit', 'DEPOSIT', '2027-01-10', '200.00', '0.00', false],
      ['installment-1', 'INSTALLMENT', '2027-03-25', '266.66', '0.00', false],
      ['installment-2', 'INSTALLMENT', '2027-06-07', '266.66', '0.00', false],
      ['balance', 'BALANCE', '2027-08-20', '266.68', '0.00', false],
    ]);
    expect(plan[0]!.dueAt).toBe(Date.parse('2027-01-10T23:59:59.999Z'));
    expect(plan[3]!.dueAt).toBe(Date.parse('2027-08-20T22:59:59.999Z'));
  });

  it('takes everything at once when booked on or after the balance date', () => {
    const plan = planPayments({ ...base, bookedOn: '2027-08-20', total: { amount: '1500', currency: 'JPY' }, terms: terms({ installments: 4 }) });
    expect(plan.map((i) => [i.id, i.dueDate, i.amount.amount, i.paid])).toEqual([['balance', '2027-08-20', '1500', '0']]);
  });

  it('caps a fixed deposit at the total and drops zero lines', () => {
    const plan = planPayments({ ...base, total: { amount: '150.000', currency: 'KWD' }, terms: terms({ depositPercent: null, depositAmount: { amount: '200.000', currency: 'KWD' } }) });
    expect(plan.map((i) => [i.id, i.amount.amount])).toEqual([['deposit', '150.000']]);
    expect(planPayments({ ...base, total: { amount: '0.00', currency: 'EUR' }, terms: terms() })).toEqual([]);
  });

  it('collapses installments on a short lead time', () => {
    const plan = planPayments({ ...base, bookedOn: '2027-08-17', total: { amount: '100.00', currency: 'GBP' }, terms: terms({ installments: 6 }) });
    // 3 days to the balance date: only +1 and +2 remain.
    expect(plan.map((i) => [i.id, i.dueDate])).toEqual([
      ['deposit', '2027-08-17'],
      ['installment-1', '2027-08-18'],
      ['installment-2', '2027-08-19'],
      ['balance', '2027-08-20'],
    ]);
    expect(sum(plan).toFixed(2)).toBe('100.00');
  });

  it('always adds up to the total (JPY, EUR, KWD), dates ascending and strictly between', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('JPY', 'EUR', 'KWD'),
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 365 }),
        fc.oneof(fc.integer({ min: 1, max: 10000 }).map((b) => ({ p: new Dec(b).dividedBy(100).toFixed() })), fc.bigInt({ min: 1n, max: 10n ** 11n }).map((a) => ({ a }))),
        (currency, minor, installments, leadDays, finalDue, dep) => {
          const e = minorUnits(currency);
          const total = new Dec(minor.toString()).dividedBy(new Dec(10).pow(e)).toFixed(e);
          const t = terms({
            installments,
            finalDueDaysBefore: finalDue,
            depositPercent: 'p' in dep ? dep.p : null,
            depositAmount: 'a' in dep ? { amount: new Dec(dep.a.toString()).dividedBy(new Dec(10).pow(e)).toFixed(e), currency } : null,
          });
          const plan = planPayments({ total: { amount: total, currency }, terms: t, bookedOn: '2027-01-01', departureDate: addDays('2027-01-01', leadDays), timeZone: 'Asia/Tokyo' });
          expect(sum(plan).equals(total)).toBe(true);
          for (const i of plan) {
            expect(new Dec(i.amount.amount).gt(0)).toBe(true);
            expect(new Dec(i.amount.amount).decimalPlaces()).toBeLessThanOrEqual(e);
          }
          for (let k = 1; k < plan.length; k++) expect(plan[k]!.dueDate > plan[k - 1]!.dueDate).toBe(true);
          expect(new Set(plan.map((i) => i.id)).size).toBe(plan.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses bad input, naming it', () => {
    expect(() =>
      planPayments({ total: { amount: '10.001', currency: 'EUR' }, terms: terms({ depositPercent: null, depositAmount: { amount: '5', currency: 'USD' } }), bookedOn: '2027-13-01', departureDate: '2027-10-01', timeZone: 'Nowhere/City' }),
    ).toThrow('total: EUR has 2 decimal places; "10.001" has 3; bookedOn "2027-13-01" is not a date YYYY-MM-DD; timeZone "Nowhere/City" is not an IANA time zone; depositAmount is in USD but the booking is in EUR');
  });
});

describe('payments against the schedule', () => {
  const plan = planPayments({ ...base, total: { amount: '1000.00', currency: 'EUR' }, terms: terms({ installments: 2 }) });

  it('settles the oldest due line first, without changing the input', () => {
    const r = applyPayment(plan, { amount: '300.00', currency: 'EUR' });
    expect(r.schedule.map((i) => i.paid)).toEqual(['200.00', '100.00', '0.00', '0.00']);
    expect(r.applied).toEqual({ amount: '300.00', currency: 'EUR' });
    expect(r.excess).toEqual({ amount: '0.00', currency: 'EUR' });
    expect(plan.map((i) => i.paid)).toEqual(['0.00', '0.00', '0.00', '0.00']);
    expect(outstanding(r.schedule)).toEqual({ amount: '700.00', currency: 'EUR' });
    expect(nextUnpaid(r.schedule)?.id).toBe('installment-1');
  });

  it('returns an over-payment as excess', () => {
    const r = applyPayment(applyPayment(plan, { amount: '900.00', currency: 'EUR' }).schedule, { amount: '250.00', currency: 'EUR' });
    expect(r.applied.amount).toBe('100.00');
    expect(r.excess.amount).toBe('150.00');
    expect(outstanding(r.schedule).amount).toBe('0.00');
    expect(nextUnpaid(r.schedule)).toBeNull();
  });

  it('refuses a payment in another currency or not positive', () => {
    expect(() => applyPayment(plan, { amount: '10.00', currency: 'GBP' })).toThrow('payment is in GBP but the booking is in EUR');
    expect(() => applyPayment(plan, { amount: '0', currency: 'EUR' })).toThrow('payment must be greater than zero');
    expect(() => outstanding([])).toThrow('an empty schedule has no currency');
    expect(outstanding([], 'EUR')).toEqual({ amount: '0.00', currency: 'EUR' });
  });

  it('finds overdue lines and reminders', () => {
    const paid = applyPayment(plan, { amount: '200.00', currency: 'EUR' }).schedule;
    const inst1 = paid[1]!;
    expect(reminderAt(inst1, 7)).toBe(inst1.dueAt - 7 * DAY_MS);
    expect(overdue(paid, inst1.dueAt)).toEqual([]);
    expect(overdue(paid, inst1.dueAt + 1).map((i) => i.id)).toEqual(['installment-1']);
    expect(remindersDue(paid, reminderAt(inst1, 7) - 1, 7)).toEqual([]);
    expect(remindersDue(paid, reminderAt(inst1, 7), 7).map((i) => i.id)).toEqual(['installment-1']);
    const reminded = paid.map((i) => (i.id === 'installment-1' ? { ...i, reminded: true } : i));
    expect(remindersDue(reminded, inst1.dueAt, 7)).toEqual([]);
  });
});

describe('replan', () => {
  const plan = planPayments({ ...base, total: { amount: '1000.00', currency: 'EUR' }, terms: terms({ installments: 2 }) });
  const paid = applyPayment(plan, { amount: '300.00', currency: 'EUR' }).schedule;

  it('keeps what was paid and spreads the rest over the new not-yet-due lines', () => {
    const next = replan(paid, { amount: '1200.00', currency: 'EUR' }, { terms: terms({ installments: 2 }), bookedOn: base.bookedOn, departureDate: '2027-11-01', timeZone: base.timeZone, today: '2027-04-01' });
    expect(sum(next).toFixed(2)).toBe('1200.00');
    expect(next.filter((i) => i.paid !== '0.00').map((i) => [i.id, i.amount.amount, i.paid])).toEqual([
      ['deposit', '200.00', '200.00'],
      ['installment-1', '100.00', '100.00'],
    ]);
    const open = next.filter((i) => i.paid === '0.00');
    expect(open.map((i) => i.id)).toEqual(['installment-1-r1', 'installment-2-r1', 'balance-r1']);
    for (const i of open) expect(i.dueDate >= '2027-04-01').toBe(true);
    expect(open.at(-1)!.dueDate).toBe('2027-09-20');
  });

  it('falls due today when the new balance date has passed, and numbers later rounds', () => {
    const next = replan(paid, { amount: '1000.00', currency: 'EUR' }, { terms: terms(), bookedOn: base.bookedOn, departureDate: '2027-06-01', timeZone: base.timeZone, today: '2027-05-15' });
    expect(next.map((i) => [i.id, i.dueDate, i.amount.amount])).toEqual([
      ['deposit', '2027-01-10', '200.00'],
      ['installment-1', '2027-03-25', '100.00'],
      ['balance-r1', '2027-05-15', '700.00'],
    ]);
    const again = replan(next, { amount: '1100.00', currency: 'EUR' }, { terms: terms(), bookedOn: base.bookedOn, departureDate: '2027-06-02', timeZone: base.timeZone, today: '2027-05-16' });
    expect(again.at(-1)).toMatchObject({ id: 'balance-r2', dueDate: '2027-05-16', amount: { amount: '800.00' } });
  });

  it('never asks for the deposit again on the day the booking was made', () => {
    const deposited = applyPayment(plan, { amount: '200.00', currency: 'EUR' }).schedule;
    const next = replan(deposited, { amount: '1000.00', currency: 'EUR' }, { terms: terms({ installments: 2 }), bookedOn: base.bookedOn, departureDate: '2027-11-08', timeZone: base.timeZone, today: base.bookedOn });
    expect(next.filter((i) => i.kind === 'DEPOSIT').map((i) => [i.id, i.paid])).toEqual([['deposit', '200.00']]);
    expect(sum(next).toFixed(2)).toBe('1000.00');
  });

  it('leaves nothing to pay when the new total is below what was paid', () => {
    const next = replan(paid, { amount: '250.00', currency: 'EUR' }, { terms: terms(), bookedOn: base.bookedOn, departureDate: '2027-11-01', timeZone: base.timeZone, today: '2027-04-01' });
    expect(outstanding(next).amount).toBe('0.00');
    expect(sum(next).toFixed(2)).toBe('300.00');
  });

  it('adds up to the new total whenever it covers what was paid', () => {
    fc.assert(
      fc.property(fc.constantFrom('JPY', 'EUR', 'KWD'), fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 6 }), (currency, totalMinor, paidMinor, todayOffset, n) => {
        const e = minorUnits(currency);
        const m = (x: bigint) => new Dec(x.toString()).dividedBy(new Dec(10).pow(e)).toFixed(e);
        const t = terms({ installments: n });
        const first = planPayments({ total: { amount: m(totalMinor), currency }, terms: t, bookedOn: '2027-01-01', departureDate: '2027-09-01', timeZone: 'UTC' });
        const p = paidMinor % totalMinor;
        const s = p > 0n ? applyPayment(first, { amount: m(p), currency }).schedule : first;
        const newTotal = p + (totalMinor * 3n) / 2n;
        const next = replan(s, { amount: m(newTotal), currency }, { terms: t, bookedOn: '2027-01-01', departureDate: '2027-10-01', timeZone: 'UTC', today: addDays('2027-01-01', todayOffset) });
        expect(sum(next).equals(m(newTotal))).toBe(true);
        expect(outstanding(next).amount).toBe(m(newTotal - p));
        expect(new Set(next.map((i) => i.id)).size).toBe(next.length);
      }),
      { numRuns: 150 },
    );
  });
});
