import { isCurrencyCode, minorUnits } from '../money/currency';
import { checkAmount, Dec, type MoneyJson } from '../money/money';
import { PRODUCT_TYPES, SALES_CHANNELS, type ProductType, type SalesChannel } from '../ledger/chart';
import type { EntryDraft, PostingLine } from '../ledger/entry';
import { isIsoDate } from '../time/instant';

/**
 * Commissions: what suppliers pay us on the sales we make for them (schedules with override tiers)
 * and what we pay sub-agents on agent-channel sales. Pure calculation; the store reads and writes.
 *
 * Rules decided here, once:
 * - Schedule choice: a schedule for the sale's product type beats a supplier-wide one (product type
 *   null). Two schedules matching at the same specificity is a configuration error, never a guess.
 * - Tier volume is the volume BEFORE the sale: the sale amounts of earlier sales already recorded
 *   under the same schedule, dated in its span on or before this sale's date, in the sale's currency
 *   (other currencies do not count: no silent FX). The sale itself does not count, so the sale that
 *   crosses a threshold still earns the lower rate and the next one earns the tier's.
 * - PERCENT: sale x rate / 100, rounded to the sale currency's minor units HALF_UP (commercial
 *   rounding, as suppliers' statements do). FIXED: the fixed amount, which must be in the sale's
 *   currency (no silent FX). Sub-agents: sale x their rate / 100, same rounding.
 */

export type CommissionBasis = 'PERCENT' | 'FIXED';
export const COMMISSION_BASES = ['PERCENT', 'FIXED'] as const;

/** How a commission is computed: a percentage (`rate`, 0 < rate <= 100) or a fixed amount per booking. */
export interface CommissionTerms {
  basis: CommissionBasis;
  /** PERCENT only: percentage of the sale, decimal string with at most 4 decimals ("10", "12.5"). */
  rate: string | null;
  /** FIXED only: amount per booking in the schedule's `currency`. */
  fixedAmount: string | null;
}

/** An override tier: once the volume before a sale reaches `threshold`, its terms apply. */
export interface CommissionTierSpec extends CommissionTerms {
  threshold: string;
}

export interface CommissionScheduleSpec extends CommissionTerms {
  supplier: string;
  /** null: every product type of the supplier. */
  productType: ProductType | null;
  /** First and last day the schedule applies (inclusive); `validTo` null = open-ended. */
  validFrom: string;
  validTo: string | null;
  /** Currency of the fixed amounts (the schedule's and its FIXED tiers'); required when any basis is FIXED. */
  currency: string | null;
  tiers: CommissionTierSpec[];
}

export interface CommissionSchedule extends CommissionScheduleSpec {
  id: string;
}

/** A sale on which a commission is earned. */
export interface CommissionSale {
  bookingRef: string;
  supplier: string;
  productType: ProductType;
  channel: SalesChannel;
  /** YYYY-MM-DD; picks the schedule and is the accounting date of the entry. */
  saleDate: string;
  saleAmount: MoneyJson;
  /** Agent-channel sales only: the sub-agent who sold it. */
  subAgentCode?: string | null;
}

export interface CommissionProblem {
  /** Where in the input: `rate`, `tiers/1/threshold`, `saleAmount/amount`. */
  path: string;
  message: string;
}

export type CommissionErrorKind =
  | 'invalid-schedule'
  | 'overlapping-schedule'
  | 'ambiguous-schedules'
  | 'currency-mismatch'
  | 'invalid-sale'
  | 'sale-conflict'
  | 'unknown-sub-agent'
  | 'invalid-sub-agent'
  | 'sub-agent-conflict';

/** A commission request that can never succeed as submitted; `problems` names every reason. */
export class CommissionError extends Error {
  constructor(
    readonly kind: CommissionErrorKind,
    message: string,
    readonly problems: CommissionProblem[] = [],
  ) {
    super(problems.length ? `${message}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` : message);
    this.name = 'CommissionError';
  }
}

/** Supplier and sub-agent codes: they end up in idempotency keys, so a restricted alphabet. */
export const PARTY_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Booking references as other systems send them (max 32, the journal's column). */
export const BOOKING_REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const MAX_RATE_DECIMALS = 4;

const OPEN_END = '9999-12-31';
const ROUNDING = Dec.ROUND_HALF_UP;

function checkRate(rate: string | null, path: string, opts: { allowZero: boolean }): CommissionProblem[] {
  if (rate === null || rate === undefined) return [{ path, message: 'is required with basis PERCENT' }];
  if (!DECIMAL.test(rate)) return [{ path, message: `"${rate}" is not a decimal percentage such as "10" or "12.5"` }];
  const value = new Dec(rate);
  const problems: CommissionProblem[] = [];
  if (opts.allowZero ? value.isNegative() : value.lessThanOrEqualTo(0)) problems.push({ path, message: `must be ${opts.allowZero ? 'at least 0' : 'greater than 0'} (got "${rate}")` });
  if (value.greaterThan(100)) problems.push({ path, message: `must be at most 100 (got "${rate}")` });
  if (value.decimalPlaces() > MAX_RATE_DECIMALS) problems.push({ path, message: `must have at most ${MAX_RATE_DECIMALS} decimals (got "${rate}")` });
  return problems;
}

function checkTerms(terms: CommissionTerms, currency: string | null, prefix: string): CommissionProblem[] {
  const at = (field: string) => `${prefix}${field}`;
  if (terms.basis === 'PERCENT') {
    const problems = checkRate(terms.rate, at('rate'), { allowZero: false });
    if (terms.fixedAmount !== null && terms.fixedAmount !== undefined) problems.push({ path: at('fixedAmount'), message: 'must be absent with basis PERCENT' });
    return problems;
  }
  if (terms.basis === 'FIXED') {
    const problems: CommissionProblem[] = [];
    if (terms.rate !== null && terms.rate !== undefined) problems.push({ path: at('rate'), message: 'must be absent with basis FIXED' });
    if (terms.fixedAmount === null || terms.fixedAmount === undefined) return [...problems, { path: at('fixedAmount'), message: 'is required with basis FIXED' }];
    for (const p of checkAmount(terms.fixedAmount, currency && isCurrencyCode(currency) ? currency : '')) problems.push({ path: at('fixedAmount'), message: p.message });
    if (!problems.length && new Dec(terms.fixedAmount).isZero()) problems.push({ path: at('fixedAmount'), message: 'must be greater than zero' });
    return problems;
  }
  return [{ path: at('basis'), message: `must be PERCENT or FIXED (got "${String(terms.basis)}")` }];
}

/** Every reason a schedule cannot be stored, all at once (dates, basis fields, tiers). */
export function validateSchedule(spec: CommissionScheduleSpec): CommissionProblem[] {
  const problems: CommissionProblem[] = [];
  if (!PARTY_CODE_PATTERN.test(spec.supplier ?? '')) problems.push({ path: 'supplier', message: 'must be 1-64 letters, digits, . _ - (starting with a letter or digit)' });
  if (spec.productType !== null && !(PRODUCT_TYPES as readonly string[]).includes(spec.productType)) {
    problems.push({ path: 'productType', message: `must be null (every product) or one of ${PRODUCT_TYPES.join(', ')}` });
  }
  if (!isIsoDate(spec.validFrom ?? '')) problems.push({ path: 'validFrom', message: 'must be a calendar date written YYYY-MM-DD' });
  if (spec.validTo !== null) {
    if (!isIsoDate(spec.validTo)) problems.push({ path: 'validTo', message: 'must be a calendar date written YYYY-MM-DD, or null (open-ended)' });
    else if (isIsoDate(spec.validFrom ?? '') && spec.validTo < spec.validFrom) problems.push({ path: 'validTo', message: `must not be before validFrom (${spec.validFrom})` });
  }
  const tiers = spec.tiers ?? [];
  const needsCurrency = spec.basis === 'FIXED' || tiers.some((t) => t.basis === 'FIXED');
  if (spec.currency !== null && !isCurrencyCode(spec.currency)) problems.push({ path: 'currency', message: `"${spec.currency}" is not an ISO 4217 currency code` });
  else if (spec.currency === null && needsCurrency) problems.push({ path: 'currency', message: 'is required when the schedule or a tier has basis FIXED (the currency of the fixed amounts)' });
  problems.push(...checkTerms(spec, spec.currency, ''));

  const seen = new Map<string, number>();
  tiers.forEach((tier, i) => {
    const path = `tiers/${i}/threshold`;
    if (!DECIMAL.test(tier.threshold ?? '')) {
      problems.push({ path, message: `"${tier.threshold}" is not a non-negative decimal volume such as "50000"` });
    } else {
      const key = new Dec(tier.threshold).toFixed();
      if (new Dec(tier.threshold).decimalPlaces() > 4) problems.push({ path, message: 'must have at most 4 decimals' });
      const first = seen.get(key);
      if (first !== undefined) problems.push({ path, message: `repeats the threshold of tiers/${first} (${key}); thresholds must be unique` });
      else seen.set(key, i);
    }
    problems.push(...checkTerms(tier, spec.currency, `tiers/${i}/`));
  });
  return problems;
}

/** True when the inclusive spans [aFrom, aTo] and [bFrom, bTo] share a day (null = open-ended). */
export function spansOverlap(aFrom: string, aTo: string | null, bFrom: string, bTo: string | null): boolean {
  return aFrom <= (bTo ?? OPEN_END) && bFrom <= (aTo ?? OPEN_END);
}

/**
 * The existing schedule the new one would clash with: same supplier, same product type (or both
 * supplier-wide) and an overlapping span. Such a pair would make the schedule for a sale ambiguous.
 */
export function findOverlap<S extends CommissionSchedule>(spec: CommissionScheduleSpec, existing: readonly S[]): S | undefined {
  return existing.find(
    (s) => s.supplier === spec.supplier && s.productType === spec.productType && spansOverlap(s.validFrom, s.validTo, spec.validFrom, spec.validTo),
  );
}

/** A schedule's span as text for messages: "2027-01-01..2027-12-31" or "2027-01-01..(open)". */
export function spanText(s: { validFrom: string; validTo: string | null }): string {
  return `${s.validFrom}..${s.validTo ?? '(open)'}`;
}

/**
 * The schedule for a sale: one for the sale's product type beats a supplier-wide one; none = null.
 * Several at the same specificity is a configuration error naming them.
 */
export function pickSchedule<S extends CommissionSchedule>(schedules: readonly S[], sale: Pick<CommissionSale, 'supplier' | 'productType' | 'saleDate'>): S | null {
  const live = schedules.filter((s) => s.supplier === sale.supplier && spansOverlap(s.validFrom, s.validTo, sale.saleDate, sale.saleDate));
  for (const candidates of [live.filter((s) => s.productType === sale.productType), live.filter((s) => s.productType === null)]) {
    if (candidates.length > 1) {
      throw new CommissionError(
        'ambiguous-schedules',
        `Supplier ${sale.supplier} has ${candidates.length} ${candidates[0]!.productType ?? 'supplier-wide'} commission schedules in force on ${sale.saleDate}: ${candidates
          .map((s) => `${s.id} (${spanText(s)})`)
          .join(', ')}; finance must end all but one`,
      );
    }
    if (candidates.length === 1) return candidates[0]!;
  }
  return null;
}

/** The tier in force for a volume: the highest threshold <= the volume before the sale; none = null. */
export function pickTier(tiers: readonly CommissionTierSpec[], volumeBefore: string | Dec): CommissionTierSpec | null {
  const volume = new Dec(volumeBefore);
  let best: CommissionTierSpec | null = null;
  for (const t of tiers) {
    if (new Dec(t.threshold).lessThanOrEqualTo(volume) && (best === null || new Dec(t.threshold).greaterThan(best.threshold))) best = t;
  }
  return best;
}

/** `amount` x `rate` / 100, rounded to `currency`'s minor units HALF_UP (commercial rounding). */
export function percentOf(amount: string, currency: string, rate: string): MoneyJson {
  const digits = minorUnits(currency);
  return { amount: new Dec(amount).times(rate).dividedBy(100).toDecimalPlaces(digits, ROUNDING).toFixed(digits), currency };
}

export interface CommissionQuote {
  commission: MoneyJson;
  /** The tier that applied, or null when the schedule's own terms did. */
  tierThreshold: string | null;
  terms: CommissionTerms;
}

/** The commission a schedule pays on a sale, given the volume before the sale (see the module note). */
export function quoteCommission(schedule: CommissionScheduleSpec, saleAmount: MoneyJson, volumeBefore: string | Dec): CommissionQuote {
  const tier = pickTier(schedule.tiers, volumeBefore);
  const terms: CommissionTerms = tier ?? schedule;
  const tierThreshold = tier ? new Dec(tier.threshold).toFixed() : null;
  if (terms.basis === 'PERCENT') {
    return { commission: percentOf(saleAmount.amount, saleAmount.currency, terms.rate!), tierThreshold, terms: { basis: 'PERCENT', rate: terms.rate, fixedAmount: null } };
  }
  if (schedule.currency !== saleAmount.currency) {
    throw new CommissionError(
      'currency-mismatch',
      `The ${schedule.supplier} schedule pays a fixed ${terms.fixedAmount} ${schedule.currency} per booking but the sale is in ${saleAmount.currency}; amounts are not converted, so record the sale in ${schedule.currency} or add a schedule in ${saleAmount.currency}`,
    );
  }
  const digits = minorUnits(saleAmount.currency);
  return {
    commission: { amount: new Dec(terms.fixedAmount!).toFixed(digits), currency: saleAmount.currency },
    tierThreshold,
    terms: { basis: 'FIXED', rate: null, fixedAmount: terms.fixedAmount },
  };
}

/** Every reason a sale cannot be recorded, all at once. */
export function validateSale(sale: CommissionSale): CommissionProblem[] {
  const problems: CommissionProblem[] = [];
  if (!BOOKING_REF_PATTERN.test(sale.bookingRef ?? '')) problems.push({ path: 'bookingRef', message: 'must be 1-32 letters, digits, . _ - (starting with a letter or digit)' });
  if (!PARTY_CODE_PATTERN.test(sale.supplier ?? '')) problems.push({ path: 'supplier', message: 'must be 1-64 letters, digits, . _ - (starting with a letter or digit)' });
  if (!(PRODUCT_TYPES as readonly string[]).includes(sale.productType)) problems.push({ path: 'productType', message: `must be one of ${PRODUCT_TYPES.join(', ')}` });
  if (!(SALES_CHANNELS as readonly string[]).includes(sale.channel)) problems.push({ path: 'channel', message: `must be one of ${SALES_CHANNELS.join(', ')}` });
  if (!isIsoDate(sale.saleDate ?? '')) problems.push({ path: 'saleDate', message: 'must be a calendar date written YYYY-MM-DD' });
  const { amount, currency } = sale.saleAmount ?? { amount: '', currency: '' };
  if (!isCurrencyCode(currency)) problems.push({ path: 'saleAmount/currency', message: `"${currency}" is not an ISO 4217 currency code` });
  const amountProblems = checkAmount(amount, isCurrencyCode(currency) ? currency : '');
  for (const p of amountProblems) problems.push({ path: 'saleAmount/amount', message: p.message });
  if (!amountProblems.length && new Dec(amount).isZero()) problems.push({ path: 'saleAmount/amount', message: 'must be greater than zero' });
  if (sale.subAgentCode != null) {
    if (!PARTY_CODE_PATTERN.test(sale.subAgentCode)) problems.push({ path: 'subAgentCode', message: 'must be 1-64 letters, digits, . _ -' });
    else if (sale.channel !== 'agent') problems.push({ path: 'subAgentCode', message: `sub-agents earn commission on agent-channel sales only (channel is "${sale.channel}")` });
  }
  return problems;
}

/** Every reason a sub-agent cannot be stored. Rate 0 is allowed (an agent on no commission). */
export function validateSubAgent(agent: { code: string; name: string; rate: string }): CommissionProblem[] {
  const problems: CommissionProblem[] = [];
  if (!PARTY_CODE_PATTERN.test(agent.code ?? '')) problems.push({ path: 'code', message: 'must be 1-64 letters, digits, . _ - (starting with a letter or digit)' });
  if (!agent.name?.trim() || agent.name.length > 200) problems.push({ path: 'name', message: 'must be 1-200 characters' });
  problems.push(...checkRate(agent.rate, 'rate', { allowZero: true }));
  return problems;
}

/** The key of the one ledger entry of a sale's commission: stable across retries. */
export function commissionEntryKey(sale: Pick<CommissionSale, 'bookingRef' | 'supplier' | 'productType'>): string {
  return `commission:${sale.bookingRef}:${sale.supplier}:${sale.productType}`;
}

export const COMMISSION_ACCOUNTS = {
  receivable: 'asset:receivable:commissions',
  income: 'revenue:commission-income',
  subAgentExpense: 'expense:sub-agent-commissions',
  subAgentPayable: 'liability:payable:sub-agent-commissions',
} as const;

/**
 * The one entry for a sale's commissions: Dr commission receivable / Cr commission income (kept
 * apart from package revenue) and, when a sub-agent earns something, Dr sub-agent commissions
 * expense / Cr sub-agent commission payable. Zero amounts give no lines; nothing to post = null.
 */
export function commissionEntry(sale: CommissionSale, commission: MoneyJson, subAgentCommission: MoneyJson | null): EntryDraft | null {
  const line = (account: string, side: 'DEBIT' | 'CREDIT', amount: MoneyJson): PostingLine => ({ account, side, amount });
  const lines: PostingLine[] = [];
  if (!new Dec(commission.amount).isZero()) {
    lines.push(line(COMMISSION_ACCOUNTS.receivable, 'DEBIT', commission), line(COMMISSION_ACCOUNTS.income, 'CREDIT', commission));
  }
  if (subAgentCommission && !new Dec(subAgentCommission.amount).isZero()) {
    lines.push(line(COMMISSION_ACCOUNTS.subAgentExpense, 'DEBIT', subAgentCommission), line(COMMISSION_ACCOUNTS.subAgentPayable, 'CREDIT', subAgentCommission));
  }
  if (!lines.length) return null;
  const subAgent = subAgentCommission && sale.subAgentCode ? `; sub-agent ${sale.subAgentCode}` : '';
  return {
    idempotencyKey: commissionEntryKey(sale),
    description: `Commission from ${sale.supplier} on ${sale.bookingRef} (${sale.productType}, ${sale.channel})${subAgent}`,
    accountingDate: sale.saleDate,
    lines,
    kind: 'commission',
    bookingRef: sale.bookingRef,
    transactionType: 'commission',
    bookingDate: sale.saleDate,
  };
}
