/** The ECB feed could not be fetched (network, timeout, 5xx): worth retrying later. */
export class EcbFeedUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EcbFeedUnavailableError';
  }
}

export const ECB_DAILY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml';

/** Fetches the feed's XML text with a timeout. HTTP errors other than 5xx are reported as they are. */
export async function fetchEcbXml(url: string, timeoutMs = 10_000): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/xml, text/xml' } });
  } catch (err) {
    throw new EcbFeedUnavailableError(`Cannot reach the ECB feed at ${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (res.status >= 500) throw new EcbFeedUnavailableError(`The ECB feed at ${url} answered ${res.status}`);
  if (!res.ok) throw new Error(`The ECB feed at ${url} answered ${res.status} ${res.statusText}`);
  return res.text();
}
