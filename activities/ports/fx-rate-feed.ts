import type { RateQuote } from '../../domain/fx/rates';

/** A published source of exchange rates (central bank, treasury API). */
export interface FxRateFeed {
  readonly source: string;
  /** The rates currently published; the set of currencies may change between publications. */
  latest(): Promise<RateQuote[]>;
  /** One publication date's rates, for feeds that can be asked by date (a treasury API); the ECB daily file cannot. */
  ratesOn?(date: string): Promise<RateQuote[]>;
}
