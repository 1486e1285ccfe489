import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { EcbXmlFxRateFeed } from '../adapter';
import { EcbFeedRejectedError, EcbFeedUnavailableError } from '../client';
import { EcbFeedMalformedError, parseEcbRates } from '../mapper';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', '__fixtures__', name), 'utf8');

describe('ECB euro reference-rate XML', () => {
  it('parses the daily file into exact EUR-based quotes, whatever currencies it lists', () => {
    const quotes = parseEcbRates(fixture('eurofxref-daily.xml'));
    expect(quotes).toHaveLength(30);
    expect(quotes.find((q) => q.quote === 'GBP')).toEqual({ source: 'ECB', base: 'EUR', quote: 'GBP', rate: '0.83215', rateDate: '2026-11-27' });
    expect(quotes.find((q) => q.quote === 'IDR')?.rate).toBe('16743.61');
    expect(new Set(quotes.map((q) => q.rateDate))).toEqual(new Set(['2026-11-27']));
  });

  it('parses a history file with several days and a currency that comes and goes', () => {
    const quotes = parseEcbRates(fixture('eurofxref-hist-3d.xml'));
    expect(quotes.filter((q) => q.rateDate === '2026-11-26').map((q) => q.quote)).toEqual(['USD', 'GBP', 'JPY', 'RUB']);
    expect(quotes.filter((q) => q.quote === 'RUB')).toHaveLength(1);
    expect(quotes.find((q) => q.rateDate === '2026-11-25' && q.quote === 'GBP')?.rate).toBe('0.8309');
  });

  it('names what is wrong with a malformed feed', () => {
    expect(() => parseEcbRates('<gesmes:Envelope><Cube><Cube time="2026-11-27"><Cube currency="usd" rate="-1"/></Cube></Cube></gesmes:Envelope>')).toThrow(EcbFeedMalformedError);
    const failure = (() => {
      try {
        parseEcbRates('<gesmes:Envelope><Cube><Cube time="27/11/2026"><Cube currency="usd" rate="abc"/></Cube></Cube></gesmes:Envelope>');
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(failure).toBeInstanceOf(EcbFeedMalformedError);
    const problems = (failure as EcbFeedMalformedError).problems.join('\n');
    expect(problems).toContain('time must be YYYY-MM-DD');
    expect(problems).toContain('currency must be three upper-case letters');
    expect(problems).toContain('rate must be a positive decimal');
    expect(() => parseEcbRates('<html>Service unavailable</html>')).toThrow(/malformed/);
  });

  it('fetches over HTTP from the configured URL; a 5xx, 429 or an unreachable host is retryable, a 404 is not', async () => {
    let status = 200;
    const server = http.createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(status === 200 ? fixture('eurofxref-daily.xml') : 'down');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eurofxref-daily.xml`;
    try {
      expect(await new EcbXmlFxRateFeed(url).latest()).toHaveLength(30);
      status = 503;
      await expect(new EcbXmlFxRateFeed(url).latest()).rejects.toBeInstanceOf(EcbFeedUnavailableError);
      status = 429;
      await expect(new EcbXmlFxRateFeed(url).latest()).rejects.toBeInstanceOf(EcbFeedUnavailableError);
      // A wrong URL is a configuration problem: not worth retrying for hours.
      status = 404;
      await expect(new EcbXmlFxRateFeed(url).latest()).rejects.toThrow(new EcbFeedRejectedError(`The ECB feed at ${url} answered 404 Not Found: check ECB_RATES_URL`, 404));
    } finally {
      await new Promise((r) => server.close(r));
    }
    await expect(new EcbXmlFxRateFeed(url).latest()).rejects.toBeInstanceOf(EcbFeedUnavailableError);
  });
});
