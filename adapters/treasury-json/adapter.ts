import type { FxRateFeed } from '../../activities/ports/fx-rate-feed';
import type { RateQuote } from '../../domain/fx/rates';
import { isIsoDate } from '../../domain/time/instant';
import { fetchTreasuryRatesJson } from './client';
import { parseTreasuryRates, TREASURY_DEFAULT_SOURCE } from './mapper';
import { isIso4217 } from './wire.schema';

export interface TreasuryFeedConfig {
  /** API root, e.g. `https://rates.example-treasury.com` (env TREASURY_RATES_URL); `/v1/rates` is appended. */
  baseUrl: string;
  /** Bearer key (env TREASURY_API_KEY). */
  apiKey: string;
  /** Source name stored with every quote (env TREASURY_SOURCE, default "TREASURY"; at most 32 characters). */
  source?: string;
  /** The base currency to ask rates in (env TREASURY_BASE), usually the books' base currency. */
  base: string;
  /** Per request, body included (default 10 s). */
  timeoutMs?: number;
}

/**
 * {@link FxRateFeed} over a JSON treasury rates API (`GET /v1/rates?base=&date=`, bearer key).
 * Besides `latest()`, `ratesOn(date)` asks for one publication date.
 */
export class TreasuryJsonFxRateFeed implements FxRateFeed {
  readonly source: string;
  readonly base: string;
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;

  constructor(config: TreasuryFeedConfig) {
    const problems: string[] = [];
    let url: URL | undefined;
    try {
      url = new URL(config.baseUrl);
    } catch {
      problems.push(`baseUrl must be an http(s) URL (got "${config.baseUrl}")`);
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`baseUrl must be an http(s) URL (got "${config.baseUrl}")`);
    if (!config.apiKey?.trim()) problems.push('apiKey must not be empty');
    const source = config.source ?? TREASURY_DEFAULT_SOURCE;
    if (!/^[A-Za-z0-9_.:-]{1,32}$/.test(source)) problems.push(`source must be 1 to 32 letters, digits or _.:- (got "${source}")`);
    if (!isIso4217(config.base)) problems.push(`base must be an ISO 4217 currency code (got "${config.base}")`);
    const timeoutMs = config.timeoutMs ?? 10_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) problems.push(`timeoutMs must be a positive whole number (got ${timeoutMs})`);
    if (problems.length) throw new RangeError(`Treasury rate feed configuration: ${problems.join('; ')}`);
    this.baseUrl = config.baseUrl;
    this.apiKey = config.apiKey;
    this.source = source;
    this.base = config.base;
    this.timeoutMs = timeoutMs;
  }

  /** The API's latest publication. */
  async latest(): Promise<RateQuote[]> {
    const json = await fetchTreasuryRatesJson({ baseUrl: this.baseUrl, apiKey: this.apiKey, base: this.base, timeoutMs: this.timeoutMs });
    return parseTreasuryRates(json, { source: this.source, base: this.base });
  }

  /** The publication of `date`; TreasuryRatesNotPublishedError while the API has only earlier ones. */
  async ratesOn(date: string): Promise<RateQuote[]> {
    if (!isIsoDate(date)) throw new RangeError(`Not a calendar date written YYYY-MM-DD: ${date}`);
    const json = await fetchTreasuryRatesJson({ baseUrl: this.baseUrl, apiKey: this.apiKey, base: this.base, date, timeoutMs: this.timeoutMs });
    return parseTreasuryRates(json, { source: this.source, base: this.base, date });
  }
}

/** The factory the worker's composition root calls; throws RangeError naming every bad setting. */
export function createTreasuryFeed(config: TreasuryFeedConfig): TreasuryJsonFxRateFeed {
  return new TreasuryJsonFxRateFeed(config);
}
