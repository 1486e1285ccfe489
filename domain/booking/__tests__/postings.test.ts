import { netByAccount, validateEntry, type EntryDraft } from '../../ledger/entry';
import { travelChartOfAccounts } from '../../ledger/chart';
import { Dec } from '../../money/money';
import type { ComponentState } from '../model';
import { cancellationQuote } from '../cancellation';
import { applyPayment, planPayments, BookingRuleError } from '../payment-plan';
import { DEFAULT_PAYMENT_TERMS } from '../model';
import { cancellationEntries, goodwillEntry, paymentEntry, refundEntry, saleEntry } from '../postings';

function component(over: Partial<ComponentState>): ComponentState {
  return {
    id: 'hotel',
    kind: 'HOTEL',
    description: 'Hotel',
    supplierCode: 'HTL1',
    productType: 'hotels',
    serviceStart: '2027-06-01',
    serviceEnd: '2027-06-08',
    pax: 2,
    sell: { amount: '1000.00', currency: 'GBP' },
    cost: { amount: '1100.00', currency: 'USD' },
    settlement: null,
    cancellationPolicy: { windows: [{ fromDaysBefore: 30, toDaysBefore: 0, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '40', nonRefundable: false }] },
    amendmentPolicy: { windows: [] },
    inventory: null,
    flight: null,
    request: { id: 'hotel', kind: 'HOTEL', supplierCode: 'HTL1', productCode: 'P1', category: 'DBL', startDate: '2027-06-01', nights: 7, units: [{ adults: 2, childAges: [] }] },
    status: 'CONFIRMED',
    supplierRef: null,
    locator: null,
    documents: [],
    penalty: null,
    ...over,
  };
}

const flight = component({ id: 'flight', kind: 'FLIGHT', productType: 'flights', sell: { amount: '450.00', currency: 'GBP' }, cost: { amount: '400.00', currency: 'GBP' }, settlement: { amount: '400.00', currency: 'GBP' }, status: 'TICKETED' });
const hotel = component({});
const transfer = component({ id: 'transfer', kind: 'TRANSFER', productType: 'transfers', sell: { amount: '80.00', currency: 'GBP' }, cost: { amount: '60.00', currency: 'EUR' } });
const ref = 'ITN-7K3M9QXZ';
const wf = `booking-${ref}`;
const chart = new Set(travelChartOfAccounts().map((a) => a.code));

function expectGood(d: EntryDraft) {
  expect(validateEntry(d)).toEqual([]);
  for (const [, perCurrency] of netByAccount(d.lines)) for (const [cur] of perCurrency) expect(cur).toBe('GBP');
  const byCurrency = new Map<string, Dec>();
  for (const l of d.lines) byCurrency.set(l.amount.currency, (byCurrency.get(l.amount.currency) ?? new Dec(0)).plus(l.side === 'DEBIT' ? l.amount.amount : new Dec(l.amount.amount).negated()));
  for (const v of byCurrency.values()) expect(v.isZero()).toBe(true);
  for (const l of d.lines) expect(chart.has(l.account)).toBe(true);
  expect(d).toMatchObject({ bookingRef: ref, kind: 'booking' });
}

const lines = (d: EntryDraft) => d.lines.map((l) => [l.side, l.account, l.amount.amount]);

describe('saleEntry', () => {
  it('posts the receivable against deferred revenue, flights as agent, and applies deposits held', () => {
    const d = saleEntry({ key: `${wf}:sale`, reference: ref, accountingDate: '2027-01-10', channel: 'direct', components: [flight, hotel, transfer, component({ id: 'gone', status: 'CANCELLED' })], depositsHeld: { amount: '300.00', currency: 'GBP' } });
    expectGood(d);
    expect(d.transactionType).toBe('booking');
    expect(lines(d)).toEqual([
      ['DEBIT', 'asset:receivable:customers', '1530.00'],
      ['CREDIT', 'liability:payable:suppliers', '400.00'],
      ['CREDIT', 'liability:deferred-revenue:flights', '50.00'],
      ['CREDIT', 'liability:deferred-revenue:hotels', '1000.00'],
      ['CREDIT', 'liability:deferred-revenue:transfers', '80.00'],
      ['DEBIT', 'liability:customer-deposits', '300.00'],
      ['CREDIT', 'asset:receivable:customers', '300.00'],
    ]);
  });

  it('puts a flight settled in another currency wholly in deferred revenue, and omits a zero margin', () => {
    const usd = { ...flight, settlement: { amount: '500.00', currency: 'USD' } };
    expect(lines(saleEntry({ key: 'k:sale', reference: ref, accountingDate: '2027-01-10', channel: 'online', components: [usd], depositsHeld: { amount: '0.00', currency: 'GBP' } }))).toEqual([
      ['DEBIT', 'asset:receivable:customers', '450.00'],
      ['CREDIT', 'liability:deferred-revenue:flights', '450.00'],
    ]);
    const atCost = { ...flight, settlement: { amount: '450.00', currency: 'GBP' } };
    expect(lines(saleEntry({ key: 'k:sale', reference: ref, accountingDate: '2027-01-10', channel: 'online', components: [atCost], depositsHeld: { amount: '0.00', currency: 'GBP' } }))).toEqual([
      ['DEBIT', 'asset:receivable:customers', '450.00'],
      ['CREDIT', 'liability:payable:suppliers', '450.00'],
    ]);
  });

  it('refuses mixed currencies and bad keys', () => {
    expect(() => saleEntry({ key: 'k', reference: ref, accountingDate: '2027-01-10', channel: 'direct', components: [hotel], depositsHeld: { amount: '10.00', currency: 'EUR' } })).toThrow('amounts mix currencies (GBP, EUR)');
    expect(() => saleEntry({ key: 'bad key!', reference: ref, accountingDate: '2027-01-10', channel: 'direct', components: [hotel], depositsHeld: { amount: '0.00', currency: 'GBP' } })).toThrow(BookingRuleError);
  });
});

describe('payment, refund and goodwill entries', () => {
  it('posts a deposit before confirmation and a payment after it', () => {
    const before = paymentEntry({ key: `${wf}:payment:p1`, reference: ref, accountingDate: '2027-01-10', payment: { amount: { amount: '300.00', currency: 'GBP' }, method: 'card', paymentId: 'p1' }, confirmed: false });
    expectGood(before);
    expect(before.transactionType).toBe('customer-payment');
    expect(lines(before)).toEqual([
      ['DEBIT', 'asset:clearing:card', '300.00'],
      ['CREDIT', 'liability:customer-deposits', '300.00'],
    ]);
    const after = paymentEntry({ key: `${wf}:payment:p2`, reference: ref, accountingDate: '2027-02-10', payment: { amount: { amount: '10.00', currency: 'GBP' }, method: 'bank-transfer', paymentId: 'p2' }, confirmed: true });
    expect(lines(after)).toEqual([
      ['DEBIT', 'asset:clearing:bank-transfer', '10.00'],
      ['CREDIT', 'asset:receivable:customers', '10.00'],
    ]);
    expect(() => paymentEntry({ key: 'k', reference: ref, accountingDate: '2027-02-10', payment: { amount: { amount: '-1.00', currency: 'GBP' }, method: 'card', paymentId: 'p' }, confirmed: true })).toThrow('payment: amount must not be negative');
    expect(() => paymentEntry({ key: 'k', reference: ref, accountingDate: '2027-02-10', payment: { amount: { amount: '1.00', currency: 'GBP' }, method: 'Card!', paymentId: 'p' }, confirmed: true })).toThrow('payment method "Card!"');
  });

  it('refunds off the receivable or a given account', () => {
    const r = refundEntry({ key: `${wf}:refund:1`, reference: ref, accountingDate: '2027-05-25', amount: { amount: '5.00', currency: 'GBP' }, method: 'card', reason: 'OVERPAYMENT', fromAccount: 'liability:customer-deposits' });
    expectGood(r);
    expect(lines(r)).toEqual([
      ['DEBIT', 'liability:customer-deposits', '5.00'],
      ['CREDIT', 'asset:clearing:card', '5.00'],
    ]);
  });

  it('books goodwill as an expense against a refund or a credit voucher', () => {
    const refund = goodwillEntry({ key: `${wf}:goodwill:c1`, reference: ref, accountingDate: '2027-06-20', kind: 'REFUND', amount: { amount: '50.00', currency: 'GBP' }, method: 'card' });
    const credit = goodwillEntry({ key: `${wf}:goodwill:c2`, reference: ref, accountingDate: '2027-06-20', kind: 'CREDIT', amount: { amount: '75.00', currency: 'GBP' }, method: 'card' });
    expectGood(refund);
    expectGood(credit);
    expect(lines(refund)).toEqual([
      ['DEBIT', 'expense:goodwill', '50.00'],
      ['CREDIT', 'asset:clearing:card', '50.00'],
    ]);
    expect(lines(credit)).toEqual([
      ['DEBIT', 'expense:goodwill', '75.00'],
      ['CREDIT', 'liability:customer-credits', '75.00'],
    ]);
  });
});

describe('cancellationEntries', () => {
  it('reverses the sale and books the retained penalty per component in proportion', () => {
    const drafts = cancellationEntries({
      keyPrefix: `${wf}:cancel`,
      reference: ref,
      accountingDate: '2027-05-25',
      channel: 'agent',
      components: [flight, hotel],
      penalties: [
        { componentId: 'flight', penalty: { amount: '100.00', currency: 'GBP' } },
        { componentId: 'hotel', penalty: { amount: '200.00', currency: 'GBP' } },
      ],
      retained: { amount: '100.00', currency: 'GBP' },
    });
    drafts.forEach(expectGood);
    expect(drafts.map((d) => d.idempotencyKey)).toEqual([`${wf}:cancel:reversal`, `${wf}:cancel:penalty`]);
    expect(lines(drafts[0]!)).toEqual([
      ['DEBIT', 'liability:payable:suppliers', '400.00'],
      ['DEBIT', 'liability:deferred-revenue:flights', '50.00'],
      ['DEBIT', 'liability:deferred-revenue:hotels', '1000.00'],
      ['CREDIT', 'asset:receivable:customers', '1450.00'],
    ]);
    expect(lines(drafts[1]!)).toEqual([
      ['DEBIT', 'asset:receivable:customers', '100.00'],
      ['CREDIT', 'revenue:flights:agent', '33.33'],
      ['CREDIT', 'revenue:hotels:agent', '66.67'],
    ]);
  });

  it('omits the penalty entry when nothing is retained, and refuses unknown components', () => {
    const drafts = cancellationEntries({ keyPrefix: 'k', reference: ref, accountingDate: '2027-05-25', channel: 'agent', components: [hotel], penalties: [{ componentId: 'hotel', penalty: { amount: '200.00', currency: 'GBP' } }], retained: { amount: '0.00', currency: 'GBP' } });
    expect(drafts.map((d) => d.idempotencyKey)).toEqual(['k:reversal']);
    expect(() => cancellationEntries({ keyPrefix: 'k', reference: ref, accountingDate: '2027-05-25', channel: 'agent', components: [hotel], penalties: [{ componentId: 'spa', penalty: { amount: '1.00', currency: 'GBP' } }], retained: { amount: '0.00', currency: 'GBP' } })).toThrow(
      'penalty for "spa", which is not among the components cancelled',
    );
  });
});

describe('a whole booking in the ledger', () => {
  it('sale, deposit before confirmation, installments, cancellation with penalty and refund leave the receivable at 0', () => {
    const components = [flight, hotel, transfer];
    const total = { amount: '1530.00', currency: 'GBP' };
    let schedule = planPayments({ total, terms: { ...DEFAULT_PAYMENT_TERMS, installments: 2 }, bookedOn: '2027-01-10', departureDate: '2027-06-01', timeZone: 'Europe/London' });
    const drafts: EntryDraft[] = [];
    const deposit = schedule[0]!.amount;
    drafts.push(paymentEntry({ key: `${wf}:payment:dep`, reference: ref, accountingDate: '2027-01-10', payment: { amount: deposit, method: 'card', paymentId: 'dep' }, confirmed: false }));
    schedule = applyPayment(schedule, deposit).schedule;
    drafts.push(saleEntry({ key: `${wf}:sale`, reference: ref, accountingDate: '2027-01-10', channel: 'direct', components, depositsHeld: deposit }));
    for (const inst of schedule.slice(1, 3)) {
      drafts.push(paymentEntry({ key: `${wf}:payment:${inst.id}`, reference: ref, accountingDate: inst.dueDate, payment: { amount: inst.amount, method: 'bank-transfer', paymentId: inst.id }, confirmed: true }));
      schedule = applyPayment(schedule, inst.amount).schedule;
    }
    const paid = schedule.reduce((a, s) => a.plus(s.paid), new Dec(0));
    const quote = cancellationQuote({ components, changeDate: '2027-05-20', paid: { amount: paid.toFixed(2), currency: 'GBP' }, currency: 'GBP', flightPenalties: { flight: { amount: '120.00', currency: 'GBP' } } });
    expect(quote.totalPenalty.amount).toBe('552.00'); // 120 + 40 % of 1000 + 40 % of 80
    drafts.push(...cancellationEntries({ keyPrefix: `${wf}:cancel`, reference: ref, accountingDate: '2027-05-20', channel: 'direct', components, penalties: quote.penalties, retained: quote.retained }));
    drafts.push(refundEntry({ key: `${wf}:refund:cancel`, reference: ref, accountingDate: '2027-05-20', amount: quote.refund, method: 'card', reason: 'CANCELLATION' }));
    drafts.forEach(expectGood);
    const net = netByAccount(drafts.flatMap((d) => d.lines));
    const bal = (a: string) => net.get(a)?.get('GBP')?.toFixed(2) ?? '0.00';
    expect(bal('asset:receivable:customers')).toBe('0.00');
    expect(bal('liability:customer-deposits')).toBe('0.00');
    expect(bal('liability:deferred-revenue:hotels')).toBe('0.00');
    expect(bal('liability:payable:suppliers')).toBe('0.00');
    // What came in, less what went back, is the penalty kept as revenue.
    const cash = new Dec(bal('asset:clearing:card')).plus(bal('asset:clearing:bank-transfer'));
    expect(cash.toFixed(2)).toBe(quote.retained.amount);
    const revenue = ['revenue:flights:direct', 'revenue:hotels:direct', 'revenue:transfers:direct'].reduce((a, acc) => a.plus(bal(acc)), new Dec(0));
    expect(revenue.negated().toFixed(2)).toBe('552.00');
  });
});
