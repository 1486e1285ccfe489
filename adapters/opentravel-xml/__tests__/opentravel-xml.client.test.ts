import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChannelManagerError, type CountPush } from '../../../domain/channels/model';
import { ChannelPushInvalid, OpenTravelXmlChannelManager } from '../adapter';
import { buildChannelResponse, decodeChannelRequest } from '../channel-side';
import { retryAfterMs } from '../client';
import { soapFault } from '../xml';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '__fixtures__', name), 'utf8');
const NOW = Date.parse('2027-03-01T09:15:00Z');
const push: CountPush = { hotelCode: 'LISALFAMA', counts: [{ roomType: 'DBL-DLX', start: '2027-03-26', end: '2027-03-28', count: 0 }] };

interface Seen {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A stub fetch answering `reply` to every call (or with what `reply` computes from the request) and recording the calls. */
function stub(reply: (req: Seen) => { status: number; body: string; headers?: Record<string, string> } | Promise<never>) {
  const seen: Seen[] = [];
  const fetchStub = (async (input: string | URL | Request, init?: RequestInit) => {
    const req = { url: String(input), headers: (init?.headers ?? {}) as Record<string, string>, body: String(init?.body) };
    seen.push(req);
    const r = await reply(req);
    return new Response(r.body, { status: r.status, headers: r.headers });
  }) as typeof fetch;
  return { fetchStub, seen };
}

function channel(fetchStub: typeof fetch, auth: 'none' | 'wsse' = 'none', timeoutMs?: number) {
  return new OpenTravelXmlChannelManager(
    { code: 'sandbox-booking', endpoint: 'http://hub.test/channels/BOOKING/ota', auth: auth === 'wsse' ? { kind: 'wsse', username: 'itinera', password: 'pw&1' } : { kind: 'none' }, ...(timeoutMs ? { timeoutMs } : {}) },
    { fetch: fetchStub, now: () => NOW },
  );
}

async function failure(p: Promise<unknown>): Promise<ChannelManagerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChannelManagerError) return e;
    throw e;
  }
  throw new Error('expected a ChannelManagerError');
}

/** The channel's own echo of whatever request it got. */
const success = (req: Seen) => {
  const { request } = decodeChannelRequest(req.body);
  return { status: 200, body: buildChannelResponse(request.message, { echoToken: request.echoToken, timeStamp: NOW }) };
};

describe('OpenTravelXmlChannelManager over a stubbed HTTP transport', () => {
  it('posts bare OTA XML as text/xml and returns the ack', async () => {
    const { fetchStub, seen } = stub(success);
    await expect(channel(fetchStub).pushCounts(push, 'tok-1')).resolves.toEqual({ echoToken: 'tok-1', warnings: [] });
    expect(seen[0]!.url).toBe('http://hub.test/channels/BOOKING/ota');
    expect(seen[0]!.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(seen[0]!.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><OTA_HotelInvCountNotifRQ xmlns="http:\/\/www.opentravel.org\/OTA\/2003\/05" EchoToken="tok-1" TimeStamp="2027-03-01T09:15:00.000Z" Version="1.0">/);
  });

  it('wsse auth: SOAP 1.1 envelope with the UsernameToken, answer unwrapped from the Body', async () => {
    const { fetchStub, seen } = stub((req) => {
      const { request } = decodeChannelRequest(req.body);
      return { status: 200, body: buildChannelResponse(request.message, { echoToken: request.echoToken, timeStamp: NOW, soap: '1.1' }) };
    });
    await channel(fetchStub, 'wsse').pushCounts(push, 'tok-2');
    const decoded = decodeChannelRequest(seen[0]!.body);
    expect(decoded.soap).toBe('1.1');
    expect(decoded.wsse).toEqual({ username: 'itinera', password: 'pw&1' });
    expect(seen[0]!.body).toContain('PasswordText');
    const snap = await channel(stub((req) => {
      const { request } = decodeChannelRequest(req.body);
      return { status: 200, body: buildChannelResponse(request.message, { echoToken: request.echoToken, timeStamp: NOW, soap: '1.1', snapshot: { hotelCode: 'LISALFAMA', counts: [{ roomType: 'DBL-DLX', date: '2027-03-26', count: 2 }] } }) };
    }).fetchStub, 'wsse').readCounts('LISALFAMA', '2027-03-26', '2027-03-27', 'tok-r');
    expect(snap).toEqual({ hotelCode: 'LISALFAMA', counts: [{ roomType: 'DBL-DLX', date: '2027-03-26', count: 2 }] });
  });

  it('429 → rate-limited with Retry-After (seconds or HTTP date)', async () => {
    const err = await failure(channel(stub(() => ({ status: 429, body: 'slow down', headers: { 'retry-after': '3' } })).fetchStub).pushCounts(push, 't'));
    expect(err).toMatchObject({ kind: 'rate-limited', details: { status: 429, retryAfterMs: 3000 } });
    expect(retryAfterMs(new Date(NOW + 5000).toUTCString(), NOW)).toBe(5000);
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
  });

  it('500 / 503 / refused connection → unavailable; 401 and 403 → unauthorized', async () => {
    expect(await failure(channel(stub(() => ({ status: 500, body: '<html>oops</html>' })).fetchStub).pushCounts(push, 't'))).toMatchObject({ kind: 'unavailable', details: { status: 500 } });
    expect(await failure(channel(stub(() => ({ status: 503, body: '' })).fetchStub).pushCounts(push, 't'))).toMatchObject({ kind: 'unavailable', details: { status: 503 } });
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    }) as typeof fetch;
    const err = await failure(channel(refused).pushCounts(push, 't'));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(await failure(channel(stub(() => ({ status: 401, body: '' })).fetchStub).pushCounts(push, 't'))).toMatchObject({ kind: 'unauthorized', details: { status: 401 } });
    expect(await failure(channel(stub(() => ({ status: 403, body: '' })).fetchStub).pushCounts(push, 't'))).toMatchObject({ kind: 'unauthorized', details: { status: 403 } });
  });

  it('no answer within timeoutMs → timeout (the fetch honours the abort signal)', async () => {
    const hanging = ((_: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))) as typeof fetch;
    const err = await failure(channel(hanging, 'none', 30).pushCounts(push, 't'));
    expect(err).toMatchObject({ kind: 'timeout' });
    expect(err.message).toMatch(/within 30 ms/);
  });

  it('SOAP Faults: WS-Security → unauthorized (even on a 500), Server → unavailable, Client → rejected', async () => {
    expect(await failure(channel(stub(() => ({ status: 500, body: fixture('SoapFault.auth.xml') })).fetchStub, 'wsse').pushCounts(push, 't'))).toMatchObject({ kind: 'unauthorized', details: { status: 500 } });
    expect(await failure(channel(stub(() => ({ status: 500, body: soapFault('1.1', 'soap:Server', 'database down') })).fetchStub, 'wsse').pushCounts(push, 't'))).toMatchObject({ kind: 'unavailable' });
    expect(await failure(channel(stub(() => ({ status: 500, body: soapFault('1.2', 'BadMessage', 'schema violation') })).fetchStub, 'wsse').pushCounts(push, 't'))).toMatchObject({ kind: 'rejected' });
    expect(await failure(channel(stub(() => ({ status: 500, body: soapFault('1.2', 'wsse:InvalidSecurity', 'nope') })).fetchStub, 'wsse').pushCounts(push, 't'))).toMatchObject({ kind: 'unauthorized' });
  });

  it('OTA Errors → rejected with the problems; echo mismatch, HTML on 200 or the wrong root → malformed-response', async () => {
    const errors = buildChannelResponse('OTA_HotelInvCountNotifRQ', { echoToken: 't', timeStamp: NOW, problems: [{ type: '3', code: '392', message: 'Invalid hotel code' }] });
    expect(await failure(channel(stub(() => ({ status: 400, body: errors })).fetchStub).pushCounts(push, 't'))).toMatchObject({ kind: 'rejected', details: { status: 400, problems: [{ type: '3', code: '392', message: 'Invalid hotel code' }] } });
    const otherEcho = buildChannelResponse('OTA_HotelInvCountNotifRQ', { echoToken: 'someone-else', timeStamp: NOW });
    const mismatch = await failure(channel(stub(() => ({ status: 200, body: otherEcho })).fetchStub).pushCounts(push, 'mine'));
    expect(mismatch.kind).toBe('malformed-response');
    expect(mismatch.message).toMatch(/"someone-else" does not match the request's "mine" \(at \/OTA_HotelInvCountNotifRS\/@EchoToken\)/);
    expect(await failure(channel(stub(() => ({ status: 200, body: '<html>maintenance' })).fetchStub).pushCounts(push, 't'))).toMatchObject({ kind: 'malformed-response' });
    const wrongRoot = buildChannelResponse('OTA_HotelAvailNotifRQ', { echoToken: 't', timeStamp: NOW });
    expect((await failure(channel(stub(() => ({ status: 200, body: wrongRoot })).fetchStub).pushCounts(push, 't'))).message).toMatch(/root is OTA_HotelAvailNotifRS, expected OTA_HotelInvCountNotifRS/);
  });

  it('every operation speaks its own message', async () => {
    const { fetchStub, seen } = stub(success);
    const c = channel(fetchStub);
    await c.pushAvailability({ hotelCode: 'H', statuses: [{ roomType: 'R', ratePlan: null, start: '2027-01-01', end: '2027-01-01', restrictions: { stopSell: true, closedToArrival: false, closedToDeparture: false, minStay: null, maxStay: null } }] }, 'a');
    await c.pushRates({ hotelCode: 'H', rates: [{ roomType: 'R', ratePlan: 'BAR', start: '2027-01-01', end: '2027-01-02', currency: 'EUR', amounts: [{ guests: 2, amount: '99.90' }] }] }, 'b');
    await c.cancelReservation('H', 'RES-1', 'sold elsewhere', 'c');
    expect(seen.map((s) => decodeChannelRequest(s.body).request.message)).toEqual(['OTA_HotelAvailNotifRQ', 'OTA_HotelRateAmountNotifRQ', 'OTA_HotelResNotifRQ']);
  });

  it('invalid pushes throw ChannelPushInvalid naming the path and send nothing', async () => {
    const { fetchStub, seen } = stub(success);
    const c = channel(fetchStub);
    const cases: [Promise<unknown>, RegExp][] = [
      [c.pushCounts({ hotelCode: 'H', counts: [{ roomType: 'R', start: '2027-01-05', end: '2027-01-04', count: 1 }] }, 't'), /counts\[0\]\.end: 2027-01-04 is before start 2027-01-05/],
      [c.pushCounts({ hotelCode: 'H', counts: [{ roomType: 'R', start: '2027-01-05', end: '2027-01-05', count: -1 }] }, 't'), /counts\[0\]\.count: must be an integer >= 0/],
      [c.pushCounts({ hotelCode: 'H', counts: [] }, 't'), /at counts: must hold at least one entry/],
      [c.pushRates({ hotelCode: 'H', rates: [{ roomType: 'R', ratePlan: 'P', start: '2027-01-01', end: '2027-01-01', currency: 'EUR', amounts: [{ guests: 1, amount: 99.9 as unknown as string }] }] }, 't'), /rates\[0\]\.amounts\[0\]\.amount: must be a decimal string/],
      [c.pushRates({ hotelCode: 'H', rates: [{ roomType: 'R', ratePlan: 'P', start: '2027-01-01', end: '2027-01-01', currency: 'EU', amounts: [{ guests: 1, amount: '1' }] }] }, 't'), /rates\[0\]\.currency: must be an ISO 4217/],
      [c.pushRates({ hotelCode: 'H', rates: [{ roomType: 'R', ratePlan: 'P', start: '2027-01-01', end: '2027-01-01', currency: 'JPY', amounts: [{ guests: 2, amount: '1' }, { guests: 2, amount: '1' }] }] }, 't'), /amounts\[1\]\.guests: must be ascending/],
      [c.pushAvailability({ hotelCode: 'H', statuses: [{ roomType: 'R', ratePlan: null, start: '2027-01-01', end: '2027-01-01', restrictions: { stopSell: false, closedToArrival: false, closedToDeparture: false, minStay: 5, maxStay: 2 } }] }, 't'), /restrictions\.maxStay: 2 is below minStay 5/],
      [c.readCounts('H', '2027-02-30', '2027-03-01', 't'), /range\.start: must be a calendar date/],
      [c.pushCounts(push, ''), /echoToken/],
    ];
    for (const [p, message] of cases) {
      await expect(p).rejects.toThrow(ChannelPushInvalid);
      await expect(p).rejects.toThrow(message);
    }
    expect(seen).toHaveLength(0);
  });
});
