import type { EntryDraft, PostingLine } from '../ledger/entry';
import { validateEntry } from '../ledger/entry';
import type { SalesChannel } from '../ledger/chart';
import { minorUnits } from '../money/currency';
import { Dec, type MoneyJson } from '../money/money';
import type { ComponentState } from './model';
import { BookingRuleError, fmt, moneyProblems } from './payment-plan';

/**
 * Ledger entry drafts for a booking's life. Pure: the workflow hands them to the ledger activity
 * with the idempotency key it chose (`<workflowId>:<step>`). Every draft is checked with
 * `validateEntry` before it is returned (BookingRuleError otherwise), so it balances per currency.
 *
 * The model: a confirmed sale is a customer receivable against deferred revenue per product (money
 * is the customer's until travel); flights sold as agent put the airline's settlement on supplier
 * payables and only the margin in deferred revenue. Money received before confirmation is a
 * customer deposit; at confirmation the deposits held are applied to the receivable. A
 * cancellation reverses the sale and books the penalty kept as revenue.
 */

const RECEIVABLE = 'asset:receivable:customers';
const DEPOSITS = 'liability:customer-deposits';
const PAYABLE = 'liability:payable:suppliers';

const debit = (account: string, amount: Dec, currency: string): PostingLine => ({ account, side: 'DEBIT', amount: { amount: fmt(amount, currency), currency } });
const credit = (account: string, amount: Dec, currency: string): PostingLine => ({ account, side: 'CREDIT', amount: { amount: fmt(amount, currency), currency } });

function checked(draft: EntryDraft): EntryDraft {
  const problems = validateEntry(draft);
  if (problems.length) throw new BookingRuleError(problems.map((p) => `${draft.idempotencyKey} ${p.path}: ${p.message}`));
  return draft;
}

function methodAccount(method: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(method ?? '')) throw new BookingRuleError([`payment method "${method}" must be lower-case letters, digits and - (e.g. "card")`]);
  return `asset:clearing:${method}`;
}

function live(components: ComponentState[]): ComponentState[] {
  return components.filter((c) => c.status !== 'CANCELLED' && c.status !== 'FAILED');
}

function bookingCurrency(components: ComponentState[], extra: Array<[string, MoneyJson]> = []): string {
  const problems: string[] = [];
  for (const c of components) problems.push(...moneyProblems(`component ${c.id}: sell`, c.sell, { allowZero: true }));
  for (const [field, m] of extra) problems.push(...moneyProblems(field, m, { allowZero: true }));
  const currencies = [...new Set([...components.map((c) => c.sell?.currency), ...extra.map(([, m]) => m?.currency)])];
  if (!problems.length && currencies.length > 1) problems.push(`amounts mix currencies (${currencies.join(', ')}): a booking posts in its one currency`);
  if (!problems.length && currencies.length === 0) problems.push('no components to post');
  if (problems.length) throw new BookingRuleError(problems);
  return currencies[0]!;
}

/** Is this an agent-model flight: settlement with the airline in the booking currency? */
function agentSettlement(c: ComponentState): Dec | null {
  if (c.kind !== 'FLIGHT' || !c.settlement || c.settlement.currency !== c.sell.currency) return null;
  const problems = moneyProblems(`component ${c.id}: settlement`, c.settlement, { allowZero: true });
  if (problems.length) throw new BookingRuleError(problems);
  return new Dec(c.settlement.amount);
}

/** The sale's credit side for one component (deferred revenue, or payable + margin for agent flights). */
function saleCredits(c: ComponentState): PostingLine[] {
  const currency = c.sell.currency;
  const sell = new Dec(c.sell.amount);
  const settlement = agentSettlement(c);
  if (settlement === null) return sell.isZero() ? [] : [credit(`liability:deferred-revenue:${c.productType}`, sell, currency)];
  const margin = sell.minus(settlement);
  const lines: PostingLine[] = [];
  if (!settlement.isZero()) lines.push(credit(PAYABLE, settlement, currency));
  // A flight sold below its settlement (negative margin) debits deferred revenue: the loss shows at travel.
  if (margin.gt(0)) lines.push(credit('liability:deferred-revenue:flights', margin, currency));
  if (margin.lt(0)) lines.push(debit('liability:deferred-revenue:flights', margin.negated(), currency));
  return lines;
}

const flip = (l: PostingLine): PostingLine => ({ ...l, side: l.side === 'DEBIT' ? 'CREDIT' : 'DEBIT' });

interface Base {
  reference: string;
  /** YYYY-MM-DD: the period the entry belongs to. */
  accountingDate: string;
}

export interface SaleEntryInput extends Base {
  key: string;
  channel: SalesChannel;
  /** The booking's components as sold; CANCELLED and FAILED ones are left out. */
  components: ComponentState[];
  /** Deposits taken before confirmation (on liability:customer-deposits), applied to the receivable now. */
  depositsHeld: MoneyJson;
}

/** The confirmed sale: receivable against deferred revenue (agent flights: payable + margin); deposits applied. */
export function saleEntry(input: SaleEntryInput): EntryDraft {
  const components = live(input.components);
  const currency = bookingCurrency(components, [['depositsHeld', input.depositsHeld]]);
  const total = components.reduce((acc, c) => acc.plus(c.sell.amount), new Dec(0));
  const lines: PostingLine[] = [];
  if (total.gt(0)) lines.push(debit(RECEIVABLE, total, currency), ...components.flatMap(saleCredits));
  const deposits = new Dec(input.depositsHeld.amount);
  if (deposits.gt(0)) lines.push(debit(DEPOSITS, deposits, currency), credit(RECEIVABLE, deposits, currency));
  return checked({
    idempotencyKey: input.key,
    description: `Booking ${input.reference} confirmed: sale of ${components.map((c) => c.id).join(', ')} (${input.channel})`,
    accountingDate: input.accountingDate,
    lines,
    kind: 'booking',
    bookingRef: input.reference,
    transactionType: 'booking',
  });
}

export interface PaymentEntryInput extends Base {
  key: string;
  payment: { amount: MoneyJson; method: string; paymentId: string };
  /** After confirmation a payment settles the receivable; before it, it is a deposit held. */
  confirmed: boolean;
}

/** A customer payment into clearing: a deposit held (before confirmation) or settling the receivable. */
export function paymentEntry(input: PaymentEntryInput): EntryDraft {
  const { amount, method, paymentId } = input.payment;
  const problems = moneyProblems('payment', amount);
  if (problems.length) throw new BookingRuleError(problems);
  const value = new Dec(amount.amount);
  return checked({
    idempotencyKey: input.key,
    description: `Booking ${input.reference}: payment ${paymentId} by ${method}${input.confirmed ? '' : ' (deposit held)'}`,
    accountingDate: input.accountingDate,
    lines: [debit(methodAccount(method), value, amount.currency), credit(input.confirmed ? RECEIVABLE : DEPOSITS, value, amount.currency)],
    kind: 'booking',
    bookingRef: input.reference,
    transactionType: 'customer-payment',
  });
}

export interface RefundEntryInput extends Base {
  key: string;
  amount: MoneyJson;
  method: string;
  reason: string;
  /** Whose balance the refund comes off: asset:receivable:customers unless said (deposits before confirmation). */
  fromAccount?: string;
}

/** Money paid back: off the receivable (or `fromAccount`) out of clearing. */
export function refundEntry(input: RefundEntryInput): EntryDraft {
  const problems = moneyProblems('refund', input.amount);
  if (problems.length) throw new BookingRuleError(problems);
  const value = new Dec(input.amount.amount);
  return checked({
    idempotencyKey: input.key,
    description: `Booking ${input.reference}: refund by ${input.method} (${input.reason})`,
    accountingDate: input.accountingDate,
    lines: [debit(input.fromAccount ?? RECEIVABLE, value, input.amount.currency), credit(methodAccount(input.method), value, input.amount.currency)],
    kind: 'booking',
    bookingRef: input.reference,
    transactionType: 'customer-payment',
  });
}

export interface CancellationEntriesInput extends Base {
  /** Keys are `<keyPrefix>:reversal` and `<keyPrefix>:penalty`. */
  keyPrefix: string;
  channel: SalesChannel;
  /** The components being cancelled, as they were sold (and posted by saleEntry). */
  components: ComponentState[];
  penalties: Array<{ componentId: string; penalty: MoneyJson }>;
  /** The part of the penalties kept from what was paid (cancellationQuote's `retained`). */
  retained: MoneyJson;
}

/**
 * (1) Reverses the sale lines of the cancelled components; (2) books the retained penalty as
 * revenue, split per component in proportion to its penalty (remainder on the last). Either draft
 * is left out when it would be empty.
 */
export function cancellationEntries(input: CancellationEntriesInput): EntryDraft[] {
  const currency = bookingCurrency(input.components, [['retained', input.retained], ...input.penalties.map((p): [string, MoneyJson] => [`penalty ${p.componentId}`, p.penalty])]);
  const byId = new Map(input.components.map((c) => [c.id, c]));
  const unknown = input.penalties.filter((p) => !byId.has(p.componentId)).map((p) => `penalty for "${p.componentId}", which is not among the components cancelled`);
  if (unknown.length) throw new BookingRuleError(unknown);
  const drafts: EntryDraft[] = [];
  const total = input.components.reduce((acc, c) => acc.plus(c.sell.amount), new Dec(0));
  if (total.gt(0)) {
    drafts.push(
      checked({
        idempotencyKey: `${input.keyPrefix}:reversal`,
        description: `Booking ${input.reference}: sale reversed for cancelled ${input.components.map((c) => c.id).join(', ')}`,
        accountingDate: input.accountingDate,
        lines: [...input.components.flatMap(saleCredits).map(flip), credit(RECEIVABLE, total, currency)],
        kind: 'booking',
        bookingRef: input.reference,
        transactionType: 'booking',
      }),
    );
  }
  const retainedMinor = new Dec(input.retained.amount).times(new Dec(10).pow(minorUnits(currency)));
  const charged = input.penalties.filter((p) => new Dec(p.penalty.amount).gt(0));
  const penaltySum = charged.reduce((acc, p) => acc.plus(p.penalty.amount), new Dec(0));
  if (retainedMinor.gt(0)) {
    if (penaltySum.isZero()) throw new BookingRuleError([`retained ${input.retained.amount} ${currency} but no component has a penalty`]);
    let allocated = new Dec(0);
    const credits: PostingLine[] = [];
    charged.forEach((p, k) => {
      const share = k === charged.length - 1 ? retainedMinor.minus(allocated) : retainedMinor.times(p.penalty.amount).dividedBy(penaltySum).floor();
      allocated = allocated.plus(share);
      if (share.gt(0)) credits.push(credit(`revenue:${byId.get(p.componentId)!.productType}:${input.channel}`, share.dividedBy(new Dec(10).pow(minorUnits(currency))), currency));
    });
    drafts.push(
      checked({
        idempotencyKey: `${input.keyPrefix}:penalty`,
        description: `Booking ${input.reference}: cancellation penalty retained`,
        accountingDate: input.accountingDate,
        lines: [debit(RECEIVABLE, new Dec(input.retained.amount), currency), ...credits],
        kind: 'booking',
        bookingRef: input.reference,
        transactionType: 'booking',
      }),
    );
  }
  return drafts;
}

export interface GoodwillEntryInput extends Base {
  key: string;
  kind: 'REFUND' | 'CREDIT';
  amount: MoneyJson;
  /** Clearing account the refund goes out of (REFUND only). */
  method: string;
}

/** Goodwill on a complaint: expense against money paid out (REFUND) or a credit voucher owed (CREDIT). */
export function goodwillEntry(input: GoodwillEntryInput): EntryDraft {
  const problems = moneyProblems('goodwill', input.amount);
  if (problems.length) throw new BookingRuleError(problems);
  const value = new Dec(input.amount.amount);
  const to = input.kind === 'REFUND' ? methodAccount(input.method) : 'liability:customer-credits';
  return checked({
    idempotencyKey: input.key,
    description: `Booking ${input.reference}: goodwill ${input.kind === 'REFUND' ? `refund by ${input.method}` : 'credit voucher'}`,
    accountingDate: input.accountingDate,
    lines: [debit('expense:goodwill', value, input.amount.currency), credit(to, value, input.amount.currency)],
    kind: 'booking',
    bookingRef: input.reference,
    transactionType: input.kind === 'REFUND' ? 'customer-payment' : 'booking',
  });
}

export interface MigrationOpeningInput {
  key: string;
  reference: string;
  accountingDate: string;
  /** What the customer paid in the legacy system before the booking came over. */
  paid: MoneyJson;
  source: string;
}

/**
 * A migrated booking's opening entry: what the customer paid in the legacy system comes in as a
 * customer deposit against the opening-balances account (finance clears that account against the
 * legacy system's closing balances). The sale entry then applies the deposit as for any booking.
 */
export function migrationOpeningEntry(input: MigrationOpeningInput): EntryDraft {
  const problems = moneyProblems('paid', input.paid);
  if (problems.length) throw new BookingRuleError(problems);
  const amount = new Dec(input.paid.amount);
  const currency = input.paid.currency;
  return checked({
    idempotencyKey: input.key,
    description: `Booking ${input.reference} migrated from ${input.source}: ${fmt(amount, currency)} ${currency} paid before migration`,
    accountingDate: input.accountingDate,
    lines: [debit('equity:opening-balances', amount, currency), credit(DEPOSITS, amount, currency)],
    kind: 'booking',
    bookingRef: input.reference,
    transactionType: 'booking',
  });
}
