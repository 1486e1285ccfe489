import type { RateQuote } from '../../domain/fx/rates';

/** A published source of exchange rates (central bank, treasury API). */
export interface FxRateFeed {
  readonly source: string;
  /** The rates currently published; the set of currencies may change between publications. */
  latest(): Promise<RateQuote[]>;
}
