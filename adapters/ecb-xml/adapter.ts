import type { FxRateFeed } from '../../activities/ports/fx-rate-feed';
import type { RateQuote } from '../../domain/fx/rates';
import { ECB_DAILY_URL, fetchEcbXml } from './client';
import { parseEcbRates } from './mapper';

/** {@link FxRateFeed} over the ECB's euro reference-rate XML. The URL is configurable (daily or 90-day file). */
export class EcbXmlFxRateFeed implements FxRateFeed {
  readonly source = 'ECB';

  constructor(private readonly url: string = ECB_DAILY_URL) {}

  async latest(): Promise<RateQuote[]> {
    return parseEcbRates(await fetchEcbXml(this.url));
  }
}
