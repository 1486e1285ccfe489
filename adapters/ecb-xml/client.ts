/** The ECB feed could not be fetched (network, timeout, 5xx): worth retrying later. */
export class EcbFeedUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EcbFeedUnavailableError';
  }
}

/**
 * The ECB feed refused the request (404 for a wrong URL, 403...): retrying will not help until
 * the configuration (ECB_RATES_URL) is fixed. 408 and 429 are treated as unavailable instead.
 */
export class EcbFeedRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'EcbFeedRejectedError';
  }
}

export const ECB_DAILY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml';

/** Fetches the feed's XML text with a timeout: 5xx, 408, 429 and network errors are retryable, other HTTP errors are not. */
export async function fetchEcbXml(url: string, timeoutMs = 10_000): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/xml, text/xml' } });
  } catch (err) {
    throw new EcbFeedUnavailableError(`Cannot reach the ECB feed at ${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (res.status >= 500 || res.status === 408 || res.status === 429) throw new EcbFeedUnavailableError(`The ECB feed at ${url} answered ${res.status}`);
  if (!res.ok) throw new EcbFeedRejectedError(`The ECB feed at ${url} answered ${res.status} ${res.statusText}: check ECB_RATES_URL`, res.status);
  return res.text();
}
