import { z } from 'zod';
import { minorUnits } from '../money/currency';
import { Dec, type MoneyJson } from '../money/money';
import { CurrencyCode, IsoDate } from '../schemas/common.schema';
import type { EntryDraft } from '../ledger/entry';
import { AtolError, isProtected, type AtolClassification } from './classification';

/** The ATOL Protection Contribution per passenger from a date on (the rate of a booking's date applies). */
export interface ContributionRate {
  effectiveFrom: string;
  /** Decimal string with at most the currency's decimals, so the contribution is always exact. */
  perPassenger: string;
  currency: string;
}

export const ContributionRateSchema = z
  .strictObject({
    effectiveFrom: IsoDate,
    perPassenger: z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "2.50"'),
    currency: CurrencyCode,
  })
  .superRefine((r, ctx) => {
    const digits = minorUnits(r.currency);
    if (new Dec(r.perPassenger).decimalPlaces() > digits) {
      ctx.addIssue({ code: 'custom', path: ['perPassenger'], message: `${r.currency} has ${digits} decimal places; the rate must not have more` });
    }
    if (new Dec(r.perPassenger).lessThanOrEqualTo(0)) ctx.addIssue({ code: 'custom', path: ['perPassenger'], message: 'must be greater than zero' });
  });

/** The rate with the latest `effectiveFrom` on or before `bookingDate`; none is an error. */
export function rateInForce(rates: readonly ContributionRate[], bookingDate: string): ContributionRate {
  const rate = rates.filter((r) => r.effectiveFrom <= bookingDate).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
  if (!rate) throw new AtolError('no-contribution-rate', `No ATOL contribution rate is in force on ${bookingDate}`);
  return rate;
}

/**
 * The APC a booking owes: per-passenger rate x passengers for a protected classification, none
 * otherwise. No rounding happens: the rate has at most the currency's decimals, so the product is
 * exact; a rate that breaks this is refused rather than rounded.
 */
export function contributionDue(classification: AtolClassification, passengers: number, rate: ContributionRate): MoneyJson | null {
  if (!isProtected(classification)) return null;
  const digits = minorUnits(rate.currency);
  const amount = new Dec(rate.perPassenger).times(passengers);
  if (amount.decimalPlaces() > digits) {
    throw new AtolError('inexact-contribution', `${rate.perPassenger} ${rate.currency} x ${passengers} is not a whole amount of ${rate.currency} minor units`);
  }
  return { amount: amount.toFixed(digits), currency: rate.currency };
}

export const APC_EXPENSE_ACCOUNT = 'expense:atol-contributions';
export const APC_PAYABLE_ACCOUNT = 'liability:payable:atol-contributions';

/**
 * The APC entry, posted at booking time and dated the booking date: the contribution is an
 * expense of the sale and owed to the CAA. Key `atol-apc:<bookingRef>`, so a retry posts once.
 */
export function contributionEntry(input: { bookingRef: string; bookingDate: string; passengers: number; rate: ContributionRate; amount: MoneyJson }): EntryDraft {
  const perPassenger = new Dec(input.rate.perPassenger).toFixed(minorUnits(input.rate.currency));
  return {
    idempotencyKey: `atol-apc:${input.bookingRef}`,
    description: `ATOL Protection Contribution for ${input.bookingRef}: ${input.passengers} passenger${input.passengers === 1 ? '' : 's'} at ${perPassenger} ${input.rate.currency}`,
    accountingDate: input.bookingDate,
    kind: 'atol-contribution',
    bookingRef: input.bookingRef,
    transactionType: 'atol-contribution',
    bookingDate: input.bookingDate,
    lines: [
      { account: APC_EXPENSE_ACCOUNT, side: 'DEBIT', amount: input.amount },
      { account: APC_PAYABLE_ACCOUNT, side: 'CREDIT', amount: input.amount },
    ],
  };
}
