import Decimal from 'decimal.js';
import { checkAmount, Dec, Money, type MoneyJson } from '../money/money';
import type { Instant } from '../time/instant';
import type { CancellationQuote, FlightOrder, Offer } from './model';

/**
 * Ticketing and its accounting figures, pure: when an offer must be paid and ticketed, and the
 * amounts the ledger posts once tickets are issued (fare, taxes, commission, what is owed to the
 * airline through BSP/ARC) or a refund is confirmed.
 */

export const TICKETING_ERROR_CODES = ['offer-expired', 'deadline-passed', 'no-deadline', 'currency-mismatch', 'inconsistent-amounts', 'invalid-commission'] as const;
export type TicketingErrorCode = (typeof TICKETING_ERROR_CODES)[number];

/** Figures that cannot be computed as asked (a deadline gone, mixed currencies, totals that do not add up). */
export class TicketingError extends Error {
  constructor(
    readonly code: TicketingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TicketingError';
  }
}

export interface TicketingPlan {
  /** `instant`: pay and ticket at booking. `deferred`: hold now, pay and ticket before `deadline`. */
  mode: 'instant' | 'deferred';
  /** The airline's ticketing time limit for a held order; null for an instant fare. */
  deadline: Instant | null;
  /** The latest moment to collect payment: the offer's expiry (instant) or the ticketing deadline (deferred). */
  payBy: Instant;
}

/**
 * How an offer gets ticketed, as of `now`. An instant-payment fare is paid and ticketed at booking,
 * before the offer expires; a holdable fare is tracked against its ticketing deadline. An offer
 * already expired, or a deadline already passed, is an error: the caller must search again.
 */
export function ticketingPlan(offer: Pick<Offer, 'id' | 'expiresAt' | 'instantPaymentRequired' | 'ticketingDeadline'>, now: Instant): TicketingPlan {
  if (offer.expiresAt <= now) {
    throw new TicketingError('offer-expired', `Offer ${offer.id} expired at ${new Date(offer.expiresAt).toISOString()}: search again`);
  }
  if (offer.instantPaymentRequired) return { mode: 'instant', deadline: null, payBy: offer.expiresAt };
  if (offer.ticketingDeadline === null) {
    throw new TicketingError('no-deadline', `Offer ${offer.id} allows a hold but has no ticketing deadline`);
  }
  if (offer.ticketingDeadline <= now) {
    throw new TicketingError('deadline-passed', `Offer ${offer.id}: the ticketing deadline ${new Date(offer.ticketingDeadline).toISOString()} has passed`);
  }
  return { mode: 'deferred', deadline: offer.ticketingDeadline, payBy: offer.ticketingDeadline };
}

export interface TaxFigure {
  code: string;
  amount: MoneyJson;
}

export interface AccountingFigures {
  currency: string;
  /** Base fare of all travellers (commissionable). */
  fare: MoneyJson;
  taxes: {
    total: MoneyJson;
    /** Per tax code, summed over travellers (fare × count), sorted by code; empty when neither `fares` nor `order.fares` gave any. */
    byCode: TaxFigure[];
  };
  /** fare + taxes.total. */
  total: MoneyJson;
  /** The percentage applied to the base fare ("7", "9.5"). */
  commissionPercent: string;
  /** commissionPercent % of the base fare, rounded HALF_UP to the currency's minor units. */
  commission: MoneyJson;
  /** What we owe the airline through BSP/ARC: total − commission. */
  airlineSettlement: MoneyJson;
}

const PERCENT = /^(0|[1-9]\d*)(\.\d+)?$/;

function money(json: MoneyJson, what: string, currency: string, reference = 'the order'): Money {
  if (json.currency !== currency) {
    throw new TicketingError('currency-mismatch', `${what} is in ${json.currency}, ${reference} in ${currency}`);
  }
  const problems = checkAmount(json.amount, currency);
  if (problems.length) throw new TicketingError('inconsistent-amounts', `${what}: ${problems.map((p) => p.message).join('; ')}`);
  return Money.of(json.amount, currency);
}

/**
 * The figures the ledger needs when an order is ticketed, all in the order's currency. Commission
 * is earned on the base fare only (taxes are collected for the authorities and passed on whole);
 * the airline settlement is what the BSP/ARC report will debit. Tax lines per code come from
 * `fares` when given (the offer's), else from the order's own `fares` when it has any; either way
 * they must add up to `order.taxTotal`. With neither, `taxes.byCode` is empty.
 */
export function accountingFigures(input: {
  order: Pick<FlightOrder, 'id' | 'base' | 'taxTotal' | 'total'> & Partial<Pick<FlightOrder, 'fares'>>;
  commissionPercent: string;
  fares?: Offer['fares'];
}): AccountingFigures {
  const { order } = input;
  const [fares, faresName] = input.fares ? [input.fares, 'fares'] : order.fares?.length ? [order.fares, `Order ${order.id} fares`] : [undefined, ''];
  const currency = order.total.currency;
  const base = money(order.base, `Order ${order.id} base`, currency);
  const taxTotal = money(order.taxTotal, `Order ${order.id} tax total`, currency);
  const total = money(order.total, `Order ${order.id} total`, currency);
  if (!base.add(taxTotal).equals(total)) {
    throw new TicketingError('inconsistent-amounts', `Order ${order.id}: base ${base.toFixed()} + taxes ${taxTotal.toFixed()} ≠ total ${total.toFixed()} ${currency}`);
  }
  if (!PERCENT.test(input.commissionPercent) || new Dec(input.commissionPercent).greaterThan(100)) {
    throw new TicketingError('invalid-commission', `Commission must be a percentage from 0 to 100 (got "${input.commissionPercent}")`);
  }

  const byCode = new Map<string, Money>();
  if (fares) {
    for (const [i, { fare, count }] of fares.entries()) {
      for (const [j, tax] of fare.taxes.entries()) {
        const line = Money.of(money(tax.amount, `${faresName}[${i}].taxes[${j}] (${tax.code})`, currency).amount.times(count), currency);
        byCode.set(tax.code, byCode.get(tax.code)?.add(line) ?? line);
      }
    }
    const sum = [...byCode.values()].reduce((a, b) => a.add(b), Money.of('0', currency));
    if (!sum.equals(taxTotal)) {
      throw new TicketingError('inconsistent-amounts', `Order ${order.id}: tax lines add up to ${sum.toFixed()} (${faresName}), the tax total is ${taxTotal.toFixed()} ${currency}`);
    }
  }

  const commission = Money.of(base.amount.times(input.commissionPercent).dividedBy(100), currency).roundToMinor(Decimal.ROUND_HALF_UP);
  return {
    currency,
    fare: base.toJSON(),
    taxes: {
      total: taxTotal.toJSON(),
      byCode: [...byCode.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([code, amount]) => ({ code, amount: amount.toJSON() })),
    },
    total: total.toJSON(),
    commissionPercent: new Dec(input.commissionPercent).toFixed(),
    commission: commission.toJSON(),
    airlineSettlement: total.subtract(commission).toJSON(),
  };
}

export interface RefundFigures {
  paid: MoneyJson;
  /** The penalty kept, never more than was paid. */
  penalty: MoneyJson;
  /** paid − penalty, never negative. */
  refund: MoneyJson;
  /** What the supplier's quote says comes back. */
  quotedRefund: MoneyJson;
  /** quotedRefund − refund: non-zero means the supplier's figure needs checking before confirming. */
  discrepancy: MoneyJson;
}

/** The refund of a cancellation: what was paid less the quoted penalty, never negative; one currency only. */
export function refundFigures(quote: Pick<CancellationQuote, 'id' | 'penalty' | 'refundAmount'>, paid: MoneyJson): RefundFigures {
  const currency = paid.currency;
  const paidMoney = money(paid, 'Amount paid', currency);
  const penalty = money(quote.penalty, `Cancellation quote ${quote.id} penalty`, currency, 'the payment');
  const quoted = money(quote.refundAmount, `Cancellation quote ${quote.id} refund`, currency, 'the payment');
  const kept = penalty.amount.greaterThan(paidMoney.amount) ? paidMoney : penalty;
  const refund = paidMoney.subtract(kept);
  return { paid: paidMoney.toJSON(), penalty: kept.toJSON(), refund: refund.toJSON(), quotedRefund: quoted.toJSON(), discrepancy: quoted.subtract(refund).toJSON() };
}

/**
 * The offer a held order was made from, as the order records it: same flights, fares, total and
 * conditions; a held fare is by definition not instant-payment; its ticketing deadline is the
 * order's payment deadline. Used when the offer itself is spent (an offer is ordered once) and a
 * retried "price and hold" finds the order already made.
 */
export function offerOfHeldOrder(order: FlightOrder, offerId: string): Offer {
  return {
    id: offerId,
    supplier: order.supplier,
    slices: order.slices,
    fares: order.fares,
    total: order.total,
    base: order.base,
    taxTotal: order.taxTotal,
    seatsLeft: [],
    conditions: order.conditions,
    expiresAt: order.priceGuaranteeExpiresAt ?? order.paymentDeadline ?? order.createdAt,
    instantPaymentRequired: false,
    ticketingDeadline: order.paymentDeadline,
    validatingCarrier: order.validatingCarrier,
  };
}
