import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTreasuryRatesServer, type TreasurySandbox } from '../../../sandbox/treasury-rates-server';
import { createTreasuryFeed } from '../adapter';
import { TreasuryFeedRejectedError, TreasuryFeedUnavailableError, TreasuryRatesNotPublishedError } from '../client';
import { parseJsonNumbersAsText, parseTreasuryRates, TreasuryFeedMalformedError } from '../mapper';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', '__fixtures__', name), 'utf8');
const GBP = { source: 'TREASURY', base: 'GBP' };

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TreasuryFeedMalformedError);
    return (err as TreasuryFeedMalformedError).problems.join('\n');
  }
  throw new Error('expected TreasuryFeedMalformedError');
}

describe('treasury rates JSON: parse, validate, map', () => {
  it('keeps every digit of rates sent as JSON numbers or strings, whatever currencies are listed', () => {
    const quotes = parseTreasuryRates(fixture('rates-gbp-2026-11-27.json'), GBP);
    const rate = Object.fromEntries(quotes.map((q) => [q.quote, q.rate]));
    expect(rate).toEqual({
      USD: '1.2654',
      EUR: '1.1612',
      JPY: '190.370', // as published
      KWD: '0.38874',
      XAU: '0.00031712',
      IDR: '20876.5',
      LBP: '98765432.1234567891', // through a float this would be 98765432.12345679
      VND: '33215', // 3.3215E4 written out
      CHF: '1.123456789', // 1.12345678905 rounded to 10 places ROUND_HALF_EVEN (half-up would give ...891)
      ZAR: '23', // 23.0000000000000001: a float would drop the 1 silently; here it is rounded, by rule
    });
    expect(String(Number('98765432.1234567891'))).not.toBe('98765432.1234567891');
    expect(quotes.every((q) => q.source === 'TREASURY' && q.base === 'GBP' && q.rateDate === '2026-11-27')).toBe(true);
    expect(parseTreasuryRates(fixture('rates-gbp-2026-11-27.json'), { ...GBP, source: 'ACME-TREASURY' })[0]!.source).toBe('ACME-TREASURY');
  });

  it('names every problem, and the currency it concerns', () => {
    const problems = problemsOf(() => parseTreasuryRates(fixture('rates-malformed.json'), GBP));
    for (const expected of [
      'date: must be a calendar date written YYYY-MM-DD',
      'timestamp: must be whole seconds since 1970',
      'rates.GBP: rate for the base currency GBP must be 1 (got 1.5)',
      'rates.usd: "usd" is not an ISO 4217 currency code',
      'rates.BTC: "BTC" is not an ISO 4217 currency code',
      'rates.EUR: rate for EUR must be greater than zero (got -1.16)',
      'rates.JPY: rate for JPY must be greater than zero (got 0)',
      'rates.CHF: rate for CHF must be a decimal number (got "1,1183")',
      'rates.AUD: rate for AUD must be a number or a decimal string (got null)',
      'rates.CAD: rate for CAD must be a number or a decimal string (got boolean)',
      'rates.MXN: rate for MXN has more than 14 integer digits',
    ]) {
      expect(problems).toContain(expected);
    }
    expect(problemsOf(() => parseTreasuryRates('{"base":"GBP","date":"2026-11-27","rates":{}}', GBP))).toBe('rates: no rates in the publication');
    expect(problemsOf(() => parseTreasuryRates('<html>502 Bad Gateway</html>', GBP))).toMatch(/^not valid JSON: /);
    expect(problemsOf(() => parseTreasuryRates('{"base":"USD","date":"2026-11-27","rates":{"GBP":0.79}}', GBP))).toBe('base: asked for GBP, the API answered USD');
  });

  it('an answer older than the date asked means "not published yet"; a later one is malformed', () => {
    const json = '{"base":"GBP","date":"2026-11-26","rates":{"USD":1.26}}';
    expect(() => parseTreasuryRates(json, { ...GBP, date: '2026-11-27' })).toThrow(TreasuryRatesNotPublishedError);
    expect(problemsOf(() => parseTreasuryRates(json, { ...GBP, date: '2026-11-25' }))).toBe('date: asked for 2026-11-25, the API answered the later 2026-11-26');
    expect(parseTreasuryRates(json, { ...GBP, date: '2026-11-26' })).toEqual([{ source: 'TREASURY', base: 'GBP', quote: 'USD', rate: '1.26', rateDate: '2026-11-26' }]);
  });

  it('the lossless JSON parse leaves strings alone and rejects what JSON.parse rejects', () => {
    expect(parseJsonNumbersAsText('{"a\\"1": [0.1, -2e-3, "x 3.5 \\\\", {"n": 10}], "t": true, "z": null}')).toEqual({ 'a"1': ['0.1', '-2e-3', 'x 3.5 \\', { n: '10' }], t: true, z: null });
    for (const bad of ['[01]', '[1.]', '[.5]', '[+1]', '{"a": 1 2}', '[1e]', '']) expect(() => parseJsonNumbersAsText(bad)).toThrow(SyntaxError);
  });
});

describe('TreasuryJsonFxRateFeed over HTTP (local sandbox)', () => {
  let sandbox: TreasurySandbox;
  const feed = (over: Partial<Parameters<typeof createTreasuryFeed>[0]> = {}) => createTreasuryFeed({ baseUrl: sandbox.url, apiKey: 'k-123', base: 'GBP', ...over });

  beforeAll(async () => {
    sandbox = await startTreasuryRatesServer({
      apiKey: 'k-123',
      rates: { '2026-11-26': { GBP: { USD: '1.2611', EUR: '1.1598' } }, '2026-11-27': { GBP: { USD: '1.2654', EUR: '1.1612' }, USD: { GBP: '0.79025' } } },
    });
  });
  afterAll(() => sandbox?.close());

  it('reads the latest publication and a given date', async () => {
    expect(await feed().latest()).toEqual([
      { source: 'TREASURY', base: 'GBP', quote: 'USD', rate: '1.2654', rateDate: '2026-11-27' },
      { source: 'TREASURY', base: 'GBP', quote: 'EUR', rate: '1.1612', rateDate: '2026-11-27' },
    ]);
    expect((await feed({ source: 'BANK-X' }).ratesOn('2026-11-26')).map((q) => `${q.source} ${q.quote} ${q.rate} ${q.rateDate}`)).toEqual(['BANK-X USD 1.2611 2026-11-26', 'BANK-X EUR 1.1598 2026-11-26']);
    expect(await feed({ base: 'USD' }).latest()).toEqual([{ source: 'TREASURY', base: 'USD', quote: 'GBP', rate: '0.79025', rateDate: '2026-11-27' }]);
  });

  it('a date not yet published (the API falls back, or answers 404) is TreasuryRatesNotPublishedError', async () => {
    await expect(feed().ratesOn('2026-11-30')).rejects.toThrow(new TreasuryRatesNotPublishedError('The treasury API has no GBP rates for 2026-11-30 yet (its latest publication is 2026-11-27)', '2026-11-30'));
    await expect(feed().ratesOn('2026-11-01')).rejects.toBeInstanceOf(TreasuryRatesNotPublishedError);
    await expect(feed({ base: 'EUR' }).latest()).rejects.toBeInstanceOf(TreasuryRatesNotPublishedError);
  });

  it('401/403/400 are rejected for good; 5xx, 429, timeouts and an unreachable host are retryable', async () => {
    const denied = await feed({ apiKey: 'wrong-key' }).latest().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(TreasuryFeedRejectedError);
    expect(denied).toMatchObject({ status: 401 });
    expect((denied as Error).message).toContain('check the API key');
    expect((denied as Error).message).not.toContain('wrong-key');

    sandbox.failNext(1, 403);
    await expect(feed().latest()).rejects.toMatchObject({ name: 'TreasuryFeedRejectedError', status: 403 });
    sandbox.failNext(1, 400, '{"error":"bad base"}');
    await expect(feed().latest()).rejects.toThrow(/refused the request with 400: \{"error":"bad base"\}/);
    sandbox.failNext(1, 500);
    await expect(feed().latest()).rejects.toMatchObject({ name: 'TreasuryFeedUnavailableError', status: 500 });
    sandbox.failNext(1, 429);
    await expect(feed().latest()).rejects.toBeInstanceOf(TreasuryFeedUnavailableError);
    sandbox.failNext(1, 200, '{"base":"GBP","date":"2026-11-27","rates":{"USD":"n/a"}}');
    await expect(feed().latest()).rejects.toThrow(new TreasuryFeedMalformedError(['rates.USD: rate for USD must be a decimal number (got "n/a")']));

    sandbox.setDelay(2_000);
    const started = Date.now();
    await expect(feed({ timeoutMs: 150 }).latest()).rejects.toThrow(/no complete answer within 150 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
    sandbox.setDelay(0);

    await expect(createTreasuryFeed({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', base: 'GBP', timeoutMs: 2_000 }).latest()).rejects.toBeInstanceOf(TreasuryFeedUnavailableError);
  });

  it('refuses a bad configuration, naming every bad setting', () => {
    expect(() => createTreasuryFeed({ baseUrl: 'ftp://x', apiKey: ' ', base: 'usd', source: 'a source name far longer than thirty-two characters' })).toThrow(
      new RangeError(
        'Treasury rate feed configuration: baseUrl must be an http(s) URL (got "ftp://x"); apiKey must not be empty; source must be 1 to 32 letters, digits or _.:- (got "a source name far longer than thirty-two characters"); base must be an ISO 4217 currency code (got "usd")',
      ),
    );
    expect(feed().source).toBe('TREASURY');
  });
});
