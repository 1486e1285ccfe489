import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { DEFAULT_MAX_RATE_AGE_DAYS, RateMissingError, periodAverageRate, resolveRate, type RateQuote, type ResolvedRate } from '../domain/fx/rates';
import { Dec } from '../domain/money/money';
import { DAY_MS, startOfDateUtc, utcDate, isoDateOf } from '../domain/time/instant';

export interface RateImportReport {
  inserted: number;
  unchanged: number;
  /** Same source, pair and date already stored with another rate: the stored one is kept. */
  conflicts: Array<{ quote: RateQuote; stored: string }>;
}


/** One rate as stored: the published quote, and when and by whom it was imported. */
export interface StoredRate extends RateQuote {
  importedAt: number;
  importedBy: string | null;
}

/** Stored exchange rates: idempotent import and traceable lookup. */
export interface FxRates {
  importQuotes(quotes: RateQuote[], importedBy?: string): Promise<RateImportReport>;
  resolve(from: string, to: string, date: string, source?: string, maxAgeDays?: number): Promise<ResolvedRate>;
  periodAverage(from: string, to: string, date: string, source?: string, maxAgeDays?: number): Promise<ResolvedRate>;
  /** The rate stored for exactly this source, pair and date; null when there is none. */
  find(source: string, base: string, quote: string, rateDate: string): Promise<StoredRate | null>;
}

export class PrismaFxRates implements FxRates {
  constructor(private readonly prisma: PrismaClient | Prisma.TransactionClient) {}

  /** Imports published quotes; re-importing the same file changes nothing. */
  async importQuotes(quotes: RateQuote[], importedBy?: string): Promise<RateImportReport> {
    if (quotes.length === 0) return { inserted: 0, unchanged: 0, conflicts: [] };
    const dates = [...new Set(quotes.map((q) => q.rateDate))].map(utcDate);
    const sources = [...new Set(quotes.map((q) => q.source))];
    const stored = await this.prisma.fxRate.findMany({ where: { source: { in: sources }, rateDate: { in: dates } } });
    const key = (s: string, b: string, q: string, d: string) => `${s}|${b}|${q}|${d}`;
    const byKey = new Map(stored.map((r) => [key(r.source, r.baseCurrency, r.quoteCurrency, isoDateOf(r.rateDate)), r]));
    const fresh: RateQuote[] = [];
    const conflicts: RateImportReport['conflicts'] = [];
    let unchanged = 0;
    for (const q of quotes) {
      const existing = byKey.get(key(q.source, q.base, q.quote, q.rateDate));
      if (!existing) fresh.push(q);
      else if (new Dec(existing.rate.toFixed()).equals(q.rate)) unchanged++;
      else conflicts.push({ quote: q, stored: existing.rate.toFixed() });
    }
    const { count } = await this.prisma.fxRate.createMany({
      data: fresh.map((q) => ({ source: q.source, baseCurrency: q.base, quoteCurrency: q.quote, rate: q.rate, rateDate: utcDate(q.rateDate), importedBy })),
      skipDuplicates: true,
    });
    return { inserted: count, unchanged: unchanged + (fresh.length - count), conflicts };
  }

  /** The rate stored for exactly this source, pair and date (no fallback, no inverse or cross rate); null when there is none. */
  async find(source: string, base: string, quote: string, rateDate: string): Promise<StoredRate | null> {
    const row = await this.prisma.fxRate.findUnique({
      where: { source_baseCurrency_quoteCurrency_rateDate: { source, baseCurrency: base, quoteCurrency: quote, rateDate: utcDate(rateDate) } },
    });
    return row ? { ...quoteOf(row), importedAt: row.importedAt.getTime(), importedBy: row.importedBy } : null;
  }

  /** The rate in force on `date` from `source` (see {@link resolveRate}); throws RateMissingError. */
  async resolve(from: string, to: string, date: string, source = 'ECB', maxAgeDays = DEFAULT_MAX_RATE_AGE_DAYS): Promise<ResolvedRate> {
    const quotes = await this.quotes(from, to, new Date(startOfDateUtc(date) - maxAgeDays * DAY_MS), date, source);
    if (quotes.length === 0 && from !== to) {
      throw new RateMissingError(from, to, date, `no ${source} rate stored for ${from} or ${to} in the ${maxAgeDays} days up to that date`);
    }
    return resolveRate(quotes, from, to, date, maxAgeDays);
  }

  /** The average rate over the calendar month of `date` up to `date` (see {@link periodAverageRate}). */
  async periodAverage(from: string, to: string, date: string, source = 'ECB', maxAgeDays = DEFAULT_MAX_RATE_AGE_DAYS): Promise<ResolvedRate> {
    const monthStart = `${date.slice(0, 7)}-01`;
    const since = Math.min(startOfDateUtc(monthStart), startOfDateUtc(date) - maxAgeDays * DAY_MS);
    const quotes = await this.quotes(from, to, new Date(since), date, source);
    if (quotes.length === 0 && from !== to) {
      throw new RateMissingError(from, to, date, `no ${source} rate stored for ${from} or ${to} between ${isoDateOf(since)} and that date`);
    }
    return periodAverageRate(quotes, from, to, monthStart, date, maxAgeDays);
  }

  private async quotes(from: string, to: string, since: Date, date: string, source: string): Promise<RateQuote[]> {
    const rows = await this.prisma.fxRate.findMany({
      where: {
        source,
        rateDate: { gte: since, lte: utcDate(date) },
        OR: [{ baseCurrency: { in: [from, to] } }, { quoteCurrency: { in: [from, to] } }],
      },
    });
    return rows.map(quoteOf);
  }
}

/** A stored rate as the quote it was published as (the rate's decimal string without trailing zeros). */
function quoteOf(r: { source: string; baseCurrency: string; quoteCurrency: string; rate: { toFixed(): string }; rateDate: Date }): RateQuote {
  return { source: r.source, base: r.baseCurrency, quote: r.quoteCurrency, rate: new Dec(r.rate.toFixed()).toFixed(), rateDate: isoDateOf(r.rateDate) };
}
