import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { isIsoDate } from '../domain/time/instant';

/**
 * A local stand-in for a commercial treasury rates API, speaking the wire format of
 * adapters/treasury-json: `GET /v1/rates?base=GBP[&date=YYYY-MM-DD]` with `Authorization: Bearer
 * <key>` answers `{ "base", "date", "timestamp", "rates": { "USD": 1.2654, ... } }`. Rates are
 * held as decimal strings and written into the JSON text as they are (as JSON numbers by default),
 * never through a float. Used by the adapter and workflow tests, and by `npm start` as a local feed.
 */

/** Publications: date (YYYY-MM-DD) -> base -> quote -> rate (decimal text). */
export type TreasuryRateTable = Record<string, Record<string, Record<string, string>>>;

export interface TreasurySandboxOptions {
  /** 0 or absent: any free port. */
  port?: number;
  host?: string;
  apiKey: string;
  rates?: TreasuryRateTable;
  /** Served for any date the table lacks (today, UTC, when no date is asked): a feed that always publishes. */
  everyDay?: Record<string, Record<string, string>>;
  /** `number` (default): `"USD": 1.2654`; `string`: `"USD": "1.2654"`. */
  rateFormat?: 'number' | 'string';
}

export interface TreasurySandbox {
  /** Root URL to configure the adapter with (`/v1/rates` is below it). */
  url: string;
  /** Adds or replaces the publication of `date` in `base`. */
  publish(date: string, base: string, rates: Record<string, string>): void;
  /** The next `count` requests answer `status` (500 unless given: 401, 403, 429, 503...) with `body` or an error document. */
  failNext(count: number, status?: number, body?: string): void;
  /** Every answer waits `ms` first (0: none), to simulate a slow API. */
  setDelay(ms: number): void;
  /** Requests received so far (failed ones included). */
  requestCount(): number;
  close(): Promise<void>;
}

const DECIMAL_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

export async function startTreasuryRatesServer(options: TreasurySandboxOptions): Promise<TreasurySandbox> {
  const table: TreasuryRateTable = structuredClone(options.rates ?? {});
  const format = options.rateFormat ?? 'number';
  let failures: { count: number; status: number; body?: string } = { count: 0, status: 500 };
  let delayMs = 0;
  let requests = 0;
  const closing = new AbortController();

  const render = (base: string, date: string, rates: Record<string, string>): string => {
    const entries = Object.entries(rates).map(([quote, rate]) => {
      // Numbers go into the text as written; anything that is not a decimal is sent as a string (lets tests send junk).
      const value = format === 'number' && DECIMAL_TEXT.test(rate) ? rate : JSON.stringify(rate);
      return `${JSON.stringify(quote)}:${value}`;
    });
    const timestamp = Math.floor(Date.parse(`${date}T16:00:00Z`) / 1000);
    return `{"base":${JSON.stringify(base)},"date":"${date}","timestamp":${timestamp},"rates":{${entries.join(',')}}}`;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    requests++;
    if (delayMs > 0) {
      try {
        await delay(delayMs, undefined, { signal: closing.signal });
      } catch {
        return; // server closing
      }
    }
    if (failures.count > 0) {
      failures.count--;
      send(res, failures.status, failures.body ?? errorBody('simulated_failure', `simulated ${failures.status}`));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (req.method !== 'GET' || url.pathname !== '/v1/rates') return send(res, 404, errorBody('not_found', `no endpoint ${req.method} ${url.pathname}`));
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) return send(res, 401, errorBody('unauthorized', 'missing or invalid API key'));
    const base = url.searchParams.get('base') ?? '';
    if (!/^[A-Z]{3}$/.test(base)) return send(res, 400, errorBody('invalid_base', 'base must be a currency code such as GBP'));
    const asked = url.searchParams.get('date') ?? undefined;
    if (asked !== undefined && !isIsoDate(asked)) return send(res, 400, errorBody('invalid_date', 'date must be YYYY-MM-DD'));

    if (asked && !table[asked]?.[base] && options.everyDay?.[base]) return send(res, 200, render(base, asked, options.everyDay[base]));
    // Like commercial APIs: the latest publication on or before the date asked.
    const dates = Object.keys(table)
      .filter((d) => table[d]![base] && (asked === undefined || d <= asked))
      .sort();
    const date = dates[dates.length - 1];
    if (!date) {
      if (!asked && options.everyDay?.[base]) return send(res, 200, render(base, new Date().toISOString().slice(0, 10), options.everyDay[base]));
      return send(res, 404, errorBody('no_rates', `no ${base} rates${asked ? ` on or before ${asked}` : ''}`));
    }
    send(res, 200, render(base, date, table[date]![base]!));
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody('sandbox_error', err instanceof Error ? err.message : String(err)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    publish(date, base, rates) {
      if (!isIsoDate(date)) throw new RangeError(`Not a calendar date: ${date}`);
      table[date] = { ...table[date], [base]: { ...rates } };
    },
    failNext(count, status = 500, body) {
      failures = { count, status, body };
    },
    setDelay(ms) {
      delayMs = ms;
    },
    requestCount: () => requests,
    async close() {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** A plausible GBP publication for demos (`npm start`); not real market data. */
export const SAMPLE_GBP_RATES: Readonly<Record<string, string>> = Object.freeze({
  USD: '1.2654',
  EUR: '1.1612',
  JPY: '190.37',
  CHF: '1.1183',
  AUD: '1.9421',
  CAD: '1.7702',
  AED: '4.6473',
  KWD: '0.38874',
});
