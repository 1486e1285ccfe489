/** The treasury API could not be reached or answered 5xx/429/timeout: worth retrying later. */
export class TreasuryFeedUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TreasuryFeedUnavailableError';
  }
}

/**
 * The treasury API refused the request (400 bad parameters, 401/403 key missing, wrong or not
 * entitled, any other 4xx but 404/429): retrying the same request cannot help, configuration must change.
 */
export class TreasuryFeedRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'TreasuryFeedRejectedError';
  }
}

/** 404 on the rates endpoint: nothing published for the date asked yet. Retry later (benign). */
export class TreasuryRatesNotPublishedError extends Error {
  constructor(
    message: string,
    readonly date: string | undefined,
  ) {
    super(message);
    this.name = 'TreasuryRatesNotPublishedError';
  }
}

export interface TreasuryRequest {
  baseUrl: string;
  apiKey: string;
  base: string;
  /** YYYY-MM-DD; absent: the latest publication. */
  date?: string;
  timeoutMs: number;
}

/** The URL of `GET {baseUrl}/v1/rates?base=…&date=…` (a path prefix on baseUrl is kept). */
export function ratesUrl(baseUrl: string, base: string, date?: string): URL {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/v1/rates`);
  url.searchParams.set('base', base);
  if (date) url.searchParams.set('date', date);
  return url;
}

/** A short excerpt of an error body for the message (APIs put the reason there), never the whole page. */
async function excerpt(res: Response): Promise<string> {
  try {
    const text = (await res.text()).replace(/\s+/g, ' ').trim();
    return text ? `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}` : '';
  } catch {
    return '';
  }
}

/**
 * Fetches the raw JSON text (parsed by the mapper, so numbers are never read as floats), with a
 * bearer key and a timeout that covers the whole exchange including the body. The key never
 * appears in error messages.
 */
export async function fetchTreasuryRatesJson(req: TreasuryRequest): Promise<string> {
  const url = ratesUrl(req.baseUrl, req.base, req.date);
  const where = `${url.origin}${url.pathname}?${url.searchParams.toString()}`;
  const signal = AbortSignal.timeout(req.timeoutMs);
  try {
    const res = await fetch(url, { signal, headers: { accept: 'application/json', authorization: `Bearer ${req.apiKey}` } });
    if (res.ok) return await res.text();
    const why = await excerpt(res);
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      throw new TreasuryFeedUnavailableError(`The treasury rates API at ${where} answered ${res.status}${why}`, res.status);
    }
    if (res.status === 404) {
      throw new TreasuryRatesNotPublishedError(`The treasury rates API at ${where} has no ${req.base} rates${req.date ? ` for ${req.date}` : ''} yet (404${why})`, req.date);
    }
    const hint = res.status === 401 || res.status === 403 ? ' (check the API key and its entitlements)' : '';
    throw new TreasuryFeedRejectedError(`The treasury rates API at ${where} refused the request with ${res.status}${hint}${why}`, res.status);
  } catch (err) {
    if (err instanceof TreasuryFeedUnavailableError || err instanceof TreasuryFeedRejectedError || err instanceof TreasuryRatesNotPublishedError) throw err;
    const reason = signal.aborted ? `no complete answer within ${req.timeoutMs} ms` : err instanceof Error ? err.message : String(err);
    throw new TreasuryFeedUnavailableError(`Cannot reach the treasury rates API at ${where}: ${reason}`, undefined, { cause: err });
  }
}
