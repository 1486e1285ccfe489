import { startTreasuryRatesServer, type TreasurySandbox } from '../treasury-rates-server';

describe('treasury rates sandbox server', () => {
  let sandbox: TreasurySandbox;
  const get = async (query: string, key = 'sandbox-key') => {
    const res = await fetch(`${sandbox.url}/v1/rates${query}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    sandbox = await startTreasuryRatesServer({ apiKey: 'sandbox-key', rates: { '2026-11-26': { GBP: { USD: '1.2611', XYZ: 'junk' } } }, everyDay: { EUR: { GBP: '0.8612' } } });
  });
  afterAll(() => sandbox?.close());

  it('writes rates into the JSON text as they are held, numbers unquoted, never through a float', async () => {
    sandbox.publish('2026-11-27', 'GBP', { USD: '1.2654', LBP: '98765432.1234567891' });
    expect(await get('?base=GBP')).toEqual({ status: 200, body: '{"base":"GBP","date":"2026-11-27","timestamp":1795795200,"rates":{"USD":1.2654,"LBP":98765432.1234567891}}' });
    // The latest publication on or before the date asked; what is not a decimal goes out as a string.
    expect((await get('?base=GBP&date=2026-11-26')).body).toBe('{"base":"GBP","date":"2026-11-26","timestamp":1795708800,"rates":{"USD":1.2611,"XYZ":"junk"}}');
    expect((await get('?base=GBP&date=2026-11-30')).body).toContain('"date":"2026-11-27"');
    expect(await get('?base=GBP&date=2026-11-01')).toEqual({ status: 404, body: '{"error":{"code":"no_rates","message":"no GBP rates on or before 2026-11-01"}}' });
    expect((await get('?base=EUR&date=2027-01-04')).body).toBe('{"base":"EUR","date":"2027-01-04","timestamp":1799078400,"rates":{"GBP":0.8612}}');
  });

  it('checks the key and the parameters, and simulates failures and slowness on demand', async () => {
    expect((await get('?base=GBP', 'nope')).status).toBe(401);
    expect((await fetch(`${sandbox.url}/v1/rates?base=GBP`)).status).toBe(401);
    expect((await get('?base=gbp')).status).toBe(400);
    expect((await get('?base=GBP&date=2026-02-30')).status).toBe(400);
    expect((await get('/../other')).status).toBe(404);

    sandbox.failNext(2, 503);
    expect([(await get('?base=GBP')).status, (await get('?base=GBP')).status, (await get('?base=GBP')).status]).toEqual([503, 503, 200]);
    sandbox.failNext(1, 401, '{"message":"key revoked"}');
    expect(await get('?base=GBP')).toEqual({ status: 401, body: '{"message":"key revoked"}' });

    sandbox.setDelay(300);
    const started = Date.now();
    expect((await get('?base=GBP')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    sandbox.setDelay(0);
    expect(sandbox.requestCount()).toBeGreaterThanOrEqual(13);
  });
});
