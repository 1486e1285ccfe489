import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { Webhook } from 'standardwebhooks';
import { SandboxChannelHub, type SandboxChannelHubOptions } from '../hub';
import type { SandboxReservationInput } from '../reservations';

// Hand-written OTA messages: the sandbox is tested against the wire, not against any builder.
const OTA = 'xmlns="http://www.opentravel.org/OTA/2003/05"';
const invCount = (hotel: string, rows: string, echo = 'E1') =>
  `<OTA_HotelInvCountNotifRQ ${OTA} EchoToken="${echo}" TimeStamp="2026-05-01T10:00:00Z" Version="1.0"><Inventories HotelCode="${hotel}">${rows}</Inventories></OTA_HotelInvCountNotifRQ>`;
const countRow = (room: string, start: string, end: string, count: number | string) =>
  `<Inventory><StatusApplicationControl Start="${start}" End="${end}" InvTypeCode="${room}"/><InvCounts><InvCount CountType="2" Count="${count}"/></InvCounts></Inventory>`;
const avail = (hotel: string, messages: string, echo = 'A1') =>
  `<OTA_HotelAvailNotifRQ ${OTA} EchoToken="${echo}" Version="1.0"><AvailStatusMessages HotelCode="${hotel}">${messages}</AvailStatusMessages></OTA_HotelAvailNotifRQ>`;
const rates = (hotel: string, messages: string, echo = 'R1') =>
  `<OTA_HotelRateAmountNotifRQ ${OTA} EchoToken="${echo}" Version="1.0"><RateAmountMessages HotelCode="${hotel}">${messages}</RateAmountMessages></OTA_HotelRateAmountNotifRQ>`;
const readCounts = (hotel: string, start: string, end: string, echo = 'Q1') =>
  `<OTA_HotelInvCountRQ ${OTA} EchoToken="${echo}" Version="1.0"><HotelInvCountRequests><HotelInvCountRequest><HotelRef HotelCode="${hotel}"/><DateRange Start="${start}" End="${end}"/></HotelInvCountRequest></HotelInvCountRequests></OTA_HotelInvCountRQ>`;
const soap = (inner: string, security = '') =>
  `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>${security}</soap:Header><soap:Body>${inner}</soap:Body></soap:Envelope>`;
const usernameToken = (user: string, password: string) =>
  `<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>${user}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${password}</wsse:Password></wsse:UsernameToken></wsse:Security>`;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, isArray: (n) => ['Error', 'Inventory', 'Warning'].includes(n) });
type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const rs = (xml: string, name: string): Node => {
  const doc = parser.parse(xml) as Node;
  return (doc.Envelope ? doc.Envelope.Body[name] : doc[name]) as Node;
};
const codes = (r: Node): string[] => ((r.Errors?.Error ?? []) as Node[]).map((e) => e['@Code'] as string);

let now = Date.parse('2026-05-01T10:00:00Z');
const clock = () => now;

async function start(extra: Partial<SandboxChannelHubOptions> = {}) {
  const hub = new SandboxChannelHub({ channels: ['BOOKING', 'EXPEDIA'], clock, ...extra });
  const base = await hub.listen(0);
  const post = async (channel: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/channels/${channel}/ota`, { method: 'POST', headers: { 'content-type': 'text/xml', ...headers }, body });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  return { hub, base, post };
}

let current: SandboxChannelHub | null = null;
async function hubFor(extra: Partial<SandboxChannelHubOptions> = {}) {
  const h = await start(extra);
  current = h.hub;
  return h;
}
afterEach(async () => {
  await current?.close();
  current = null;
});

describe('pushes change the channel state (inclusive Start/End)', () => {
  test('OTA_HotelInvCountNotifRQ sets counts per night; OTA_HotelInvCountRQ reads them back one Inventory per night', async () => {
    const { hub, post } = await hubFor();
    const r = await post('BOOKING', invCount('H1', countRow('DBL', '2026-06-01', '2026-06-03', 4) + countRow('SGL', '2026-06-02', '2026-06-02', 1), 'echo-42'));
    expect(r.status).toBe(200);
    const ack = rs(r.text, 'OTA_HotelInvCountNotifRS');
    expect(ack.Success).toBeDefined();
    expect(ack['@EchoToken']).toBe('echo-42');
    expect(ack['@TimeStamp']).toBe(new Date(now).toISOString());
    expect(['2026-05-31', '2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04'].map((d) => hub.count('BOOKING', 'H1', 'DBL', d))).toEqual([undefined, 4, 4, 4, undefined]);
    expect(hub.count('BOOKING', 'H1', 'SGL', '2026-06-02')).toBe(1);
    expect(hub.count('EXPEDIA', 'H1', 'DBL', '2026-06-01')).toBeUndefined();

    const read = rs((await post('BOOKING', readCounts('H1', '2026-06-02', '2026-06-05', 'read-1'))).text, 'OTA_HotelInvCountRS');
    expect(read['@EchoToken']).toBe('read-1');
    const rows = (read.Inventories.Inventory as Node[]).map((i) => [i.StatusApplicationControl['@InvTypeCode'], i.StatusApplicationControl['@Start'], i.StatusApplicationControl['@End'], i.InvCounts.InvCount['@Count']]);
    expect(rows).toEqual([
      ['DBL', '2026-06-02', '2026-06-02', '4'],
      ['DBL', '2026-06-03', '2026-06-03', '4'],
      ['SGL', '2026-06-02', '2026-06-02', '1'],
    ]);
  });

  test('OTA_HotelAvailNotifRQ: stop-sell, CTA/CTD, min/max LOS, per rate plan, BookingLimit; later pushes merge', async () => {
    const { hub, post } = await hubFor();
    const msg =
      `<AvailStatusMessage><StatusApplicationControl Start="2026-06-01" End="2026-06-02" InvTypeCode="DBL"/>` +
      `<LengthsOfStay><LengthOfStay Time="2" TimeUnit="Day" MinMaxMessageType="SetMinLOS"/><LengthOfStay Time="7" TimeUnit="Day" MinMaxMessageType="SetMaxLOS"/></LengthsOfStay>` +
      `<RestrictionStatus Status="Close" Restriction="Arrival"/></AvailStatusMessage>` +
      `<AvailStatusMessage><StatusApplicationControl Start="2026-06-02" End="2026-06-02" InvTypeCode="DBL" RatePlanCode="NRF"/><RestrictionStatus Status="Close"/></AvailStatusMessage>` +
      `<AvailStatusMessage BookingLimit="3"><StatusApplicationControl Start="2026-06-05" End="2026-06-06" InvTypeCode="SGL"/></AvailStatusMessage>`;
    const r = rs((await post('EXPEDIA', avail('H1', msg))).text, 'OTA_HotelAvailNotifRS');
    expect(r.Success).toBeDefined();
    expect(hub.restrictions('EXPEDIA', 'H1', 'DBL', '2026-06-01')).toEqual({ stopSell: false, closedToArrival: true, closedToDeparture: false, minStay: 2, maxStay: 7 });
    expect(hub.restrictions('EXPEDIA', 'H1', 'DBL', '2026-06-03')).toBeUndefined();
    expect(hub.restrictions('EXPEDIA', 'H1', 'DBL', '2026-06-02', 'NRF')?.stopSell).toBe(true);
    expect(hub.restrictions('EXPEDIA', 'H1', 'DBL', '2026-06-02', 'BAR')?.stopSell).toBe(false);
    expect([hub.count('EXPEDIA', 'H1', 'SGL', '2026-06-05'), hub.count('EXPEDIA', 'H1', 'SGL', '2026-06-06')]).toEqual([3, 3]);

    await post('EXPEDIA', avail('H1', `<AvailStatusMessage><StatusApplicationControl Start="2026-06-01" End="2026-06-01" InvTypeCode="DBL"/><RestrictionStatus Status="Close" Restriction="Master"/><RestrictionStatus Status="Open" Restriction="Arrival"/></AvailStatusMessage>`));
    expect(hub.restrictions('EXPEDIA', 'H1', 'DBL', '2026-06-01')).toEqual({ stopSell: true, closedToArrival: false, closedToDeparture: false, minStay: 2, maxStay: 7 });
  });

  test('OTA_HotelRateAmountNotifRQ: amount per NumberOfGuests, currency on the amount or the Rate', async () => {
    const { hub, post } = await hubFor();
    const msg =
      `<RateAmountMessage><StatusApplicationControl Start="2026-06-01" End="2026-06-03" InvTypeCode="DBL" RatePlanCode="BAR"/><Rates><Rate CurrencyCode="EUR"><BaseByGuestAmts>` +
      `<BaseByGuestAmt NumberOfGuests="1" AmountAfterTax="90.00"/><BaseByGuestAmt NumberOfGuests="2" AmountAfterTax="110.50" CurrencyCode="EUR"/></BaseByGuestAmts></Rate></Rates></RateAmountMessage>`;
    expect(rs((await post('BOOKING', rates('H1', msg, 'rate-7'))).text, 'OTA_HotelRateAmountNotifRS')['@EchoToken']).toBe('rate-7');
    expect(hub.rate('BOOKING', 'H1', 'DBL', 'BAR', '2026-06-03', 2)).toBe('110.50');
    expect(hub.rateWithCurrency('BOOKING', 'H1', 'DBL', 'BAR', '2026-06-01', 1)).toEqual({ amount: '90.00', currency: 'EUR' });
    expect(hub.rate('BOOKING', 'H1', 'DBL', 'BAR', '2026-06-04', 1)).toBeUndefined();
    expect(hub.rate('BOOKING', 'H1', 'DBL', 'BAR', '2026-06-01', 3)).toBeUndefined();
  });
});

describe('bad input: OTA Errors with the right codes and nothing changed', () => {
  const good = countRow('DBL', '2026-06-01', '2026-06-01', 5);
  test.each([
    ['malformed XML', `<OTA_HotelInvCountNotifRQ EchoToken="X"><Inventories HotelCode="H1">`, 'OTA_HotelInvCountNotifRS', ['450']],
    ['reversed dates', invCount('H1', good + countRow('DBL', '2026-06-05', '2026-06-02', 1)), 'OTA_HotelInvCountNotifRS', ['15']],
    ['not a date', invCount('H1', good + countRow('DBL', '2026-02-30', '2026-03-01', 1)), 'OTA_HotelInvCountNotifRS', ['15']],
    ['missing InvTypeCode', invCount('H1', good + `<Inventory><StatusApplicationControl Start="2026-06-01" End="2026-06-01"/><InvCounts><InvCount CountType="2" Count="1"/></InvCounts></Inventory>`), 'OTA_HotelInvCountNotifRS', ['321']],
    ['missing HotelCode', invCount('', good).replace(' HotelCode=""', ''), 'OTA_HotelInvCountNotifRS', ['321']],
    ['negative count', invCount('H1', good + countRow('DBL', '2026-06-01', '2026-06-01', -1)), 'OTA_HotelInvCountNotifRS', ['450']],
    [
      'amount without currency',
      rates('H1', `<RateAmountMessage><StatusApplicationControl Start="2026-06-01" End="2026-06-01" InvTypeCode="DBL" RatePlanCode="BAR"/><Rates><Rate><BaseByGuestAmts><BaseByGuestAmt NumberOfGuests="2" AmountAfterTax="100"/></BaseByGuestAmts></Rate></Rates></RateAmountMessage>`),
      'OTA_HotelRateAmountNotifRS',
      ['61'],
    ],
    [
      'invalid currency',
      rates('H1', `<RateAmountMessage><StatusApplicationControl Start="2026-06-01" End="2026-06-01" InvTypeCode="DBL" RatePlanCode="BAR"/><Rates><Rate CurrencyCode="EURO"><BaseByGuestAmts><BaseByGuestAmt NumberOfGuests="2" AmountAfterTax="100"/></BaseByGuestAmts></Rate></Rates></RateAmountMessage>`),
      'OTA_HotelRateAmountNotifRS',
      ['61'],
    ],
  ])('%s', async (_name, body, rsName, expected) => {
    const { hub, post } = await hubFor();
    const r = await post('BOOKING', body);
    expect(r.status).toBe(200);
    const parsed = rs(r.text, rsName);
    expect(parsed.Success).toBeUndefined();
    expect(codes(parsed)).toEqual(expected);
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBeUndefined();
    expect(hub.rate('BOOKING', 'H1', 'DBL', 'BAR', '2026-06-01', 2)).toBeUndefined();
    expect(hub.requestLog('BOOKING')[0]?.outcome).toBe('errors');
  });

  test('with a property catalog, unknown hotel / room / rate codes are 392 / 402 / 249', async () => {
    const { hub, post } = await hubFor({ properties: { H1: { roomTypes: ['DBL'], ratePlans: ['BAR'] } } });
    expect(codes(rs((await post('BOOKING', invCount('H9', countRow('DBL', '2026-06-01', '2026-06-01', 1)))).text, 'OTA_HotelInvCountNotifRS'))).toEqual(['392']);
    expect(codes(rs((await post('BOOKING', invCount('H1', countRow('SUITE', '2026-06-01', '2026-06-01', 1)))).text, 'OTA_HotelInvCountNotifRS'))).toEqual(['402']);
    const badPlan = `<RateAmountMessage><StatusApplicationControl Start="2026-06-01" End="2026-06-01" InvTypeCode="DBL" RatePlanCode="XXX"/><Rates><Rate CurrencyCode="EUR"><BaseByGuestAmts><BaseByGuestAmt NumberOfGuests="2" AmountAfterTax="100"/></BaseByGuestAmts></Rate></Rates></RateAmountMessage>`;
    expect(codes(rs((await post('BOOKING', rates('H1', badPlan))).text, 'OTA_HotelRateAmountNotifRS'))).toEqual(['249']);
    expect(hub.snapshot('BOOKING', 'H1')).toMatchObject({ counts: [], rates: [] });
  });
});

describe('SOAP 1.1 and WS-Security', () => {
  test('SOAP in, SOAP out; the right UsernameToken passes, a wrong or missing one is a 401 SOAP Fault and changes nothing', async () => {
    const { hub, post } = await hubFor({ credentials: { BOOKING: { username: 'itinera', password: 's3cret' } } });
    const body = invCount('H1', countRow('DBL', '2026-06-01', '2026-06-01', 2));
    const ok = await post('BOOKING', soap(body, usernameToken('itinera', 's3cret')));
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('soap:Envelope');
    expect(rs(ok.text, 'OTA_HotelInvCountNotifRS').Success).toBeDefined();
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBe(2);

    const wrong = await post('BOOKING', soap(invCount('H1', countRow('DBL', '2026-06-01', '2026-06-01', 0)), usernameToken('itinera', 'nope')));
    expect(wrong.status).toBe(401);
    expect((parser.parse(wrong.text) as Node).Envelope.Body.Fault.faultcode).toBe('wsse:FailedAuthentication');
    const bare = await post('BOOKING', invCount('H1', countRow('DBL', '2026-06-01', '2026-06-01', 0)));
    expect(bare.status).toBe(401);
    expect(codes(rs(bare.text, 'OTA_HotelInvCountNotifRS'))).toEqual(['497']);
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBe(2);
    // EXPEDIA needs no credentials.
    expect((await post('EXPEDIA', soap(body))).status).toBe(200);
  });

  test('PasswordDigest (WSS UsernameToken profile) is accepted', async () => {
    const { hub, post } = await hubFor({ credentials: { BOOKING: { username: 'itinera', password: 's3cret' } } });
    const nonce = Buffer.from('0123456789abcdef');
    const created = '2026-05-01T10:00:00Z';
    const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from('s3cret')])).digest('base64');
    const token = `<wsse:Security xmlns:wsse="x" xmlns:wsu="y"><wsse:UsernameToken><wsse:Username>itinera</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password><wsse:Nonce>${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`;
    expect((await post('BOOKING', soap(invCount('H1', countRow('DBL', '2026-06-01', '2026-06-01', 6)), token))).status).toBe(200);
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBe(6);
  });
});

describe('faults', () => {
  const push = (n: number) => invCount('H1', countRow('DBL', '2026-06-01', '2026-06-01', n));

  test('error: 503 before anything changes; times limits it; probability is repeatable with the seed', async () => {
    const { hub, post } = await hubFor();
    hub.setFault('BOOKING', { kind: 'error', status: 503, times: 2 });
    expect((await post('BOOKING', push(1))).status).toBe(503);
    expect((await post('BOOKING', push(1))).status).toBe(503);
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBeUndefined();
    expect((await post('BOOKING', push(1))).status).toBe(200);
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBe(1);

    const outcomes = async (seed: number) => {
      const other = new SandboxChannelHub({ channels: ['X'], clock, seed });
      const base = await other.listen(0);
      other.setFault('X', { kind: 'error', status: 500, probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await fetch(`${base}/channels/X/ota`, { method: 'POST', body: push(i) })).status);
      await other.close();
      return statuses;
    };
    const first = await outcomes(7);
    expect(await outcomes(7)).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  test('lost-ack: the change is applied, the sender gets a 500 or a dropped socket', async () => {
    const { hub, post } = await hubFor();
    hub.setFault('BOOKING', { kind: 'lost-ack' });
    expect((await post('BOOKING', push(3))).status).toBe(500);
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBe(3);
    hub.setFault('BOOKING', { kind: 'lost-ack', drop: true });
    await expect(post('BOOKING', push(2))).rejects.toThrow();
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBe(2);
    hub.setFault('BOOKING', null);
    expect((await post('BOOKING', push(1))).status).toBe(200);
    expect(hub.requestLog('BOOKING').map((e) => e.outcome)).toEqual(['lost-ack', 'lost-ack', 'success']);
  });

  test('rate-limit: per property per channel over a 1 s window (injected clock), 429 with Retry-After', async () => {
    const { hub, post } = await hubFor();
    hub.setFault('BOOKING', { kind: 'rate-limit', perSecond: 2 });
    now = Date.parse('2026-05-01T10:00:00.000Z');
    expect((await post('BOOKING', push(1))).status).toBe(200);
    now += 100;
    expect((await post('BOOKING', push(2))).status).toBe(200);
    now += 100;
    const limited = await post('BOOKING', push(3));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('retry-after-ms')).toBe('800');
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBe(2);
    // Another property is not limited by H1's traffic.
    expect((await post('BOOKING', invCount('H2', countRow('DBL', '2026-06-01', '2026-06-01', 9)))).status).toBe(200);
    now += 900;
    expect((await post('BOOKING', push(4))).status).toBe(200);
    expect(hub.peakRequests('BOOKING', 'H1')).toBe(3);
    now = Date.parse('2026-05-01T10:00:00Z');
  });

  test('latency and the one-off X-Sandbox-Fault header (JSON or short form)', async () => {
    const { hub, post } = await hubFor();
    const t0 = performance.now();
    expect((await post('BOOKING', push(1), { 'x-sandbox-fault': 'latency=150' })).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect((await post('BOOKING', push(5), { 'x-sandbox-fault': '{"kind":"error","status":500}' })).status).toBe(500);
    expect((await post('BOOKING', push(5), { 'x-sandbox-fault': 'bogus' })).status).toBe(400);
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBe(1);
    expect(() => hub.setFault('BOOKING', { kind: 'error', status: 418 as 500 })).toThrow(/status 500 or 503/);
  });
});

describe('cancel-back from the PMS and the request log', () => {
  test('OTA_HotelResNotifRQ ResStatus Cancel is recorded once per reservation, acknowledged each time', async () => {
    const { hub, post } = await hubFor();
    const cancel = `<OTA_HotelResNotifRQ ${OTA} EchoToken="cb-1" Version="1.0" ResStatus="Cancel"><HotelReservations><HotelReservation ResStatus="Cancel"><UniqueID Type="14" ID="BK-77"/><ResGlobalInfo><Comments><Comment><Text>last room sold elsewhere</Text></Comment></Comments><BasicPropertyInfo HotelCode="H1"/></ResGlobalInfo></HotelReservation></HotelReservations></OTA_HotelResNotifRQ>`;
    for (let i = 0; i < 2; i++) {
      const r = rs((await post('BOOKING', cancel)).text, 'OTA_HotelResNotifRS');
      expect(r.Success).toBeDefined();
      expect(r['@EchoToken']).toBe('cb-1');
    }
    expect(hub.cancelledBack('BOOKING')).toEqual([{ hotelCode: 'H1', reservationId: 'BK-77', reason: 'last room sold elsewhere', echoToken: 'cb-1', at: now }]);
    expect(hub.cancelledBack('EXPEDIA')).toEqual([]);
    const book = cancel.replace(/ResStatus="Cancel"/g, 'ResStatus="Commit"');
    expect(codes(rs((await post('BOOKING', book)).text, 'OTA_HotelResNotifRS'))).toEqual(['450']);
    expect(hub.requestLog('BOOKING').map((e) => [e.messageType, e.hotelCode, e.at, e.outcome])).toEqual([
      ['OTA_HotelResNotifRQ', 'H1', now, 'success'],
      ['OTA_HotelResNotifRQ', 'H1', now, 'success'],
      ['OTA_HotelResNotifRQ', 'H1', now, 'errors'],
    ]);
  });
});

describe('outbound booking webhooks (Standard Webhooks signatures)', () => {
  const secret = `whsec_${Buffer.from('sandbox-channel-secret-0123456789').toString('base64')}`;
  let receiver: http.Server;
  let received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let receiverUrl = '';
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'text/xml' }).end(`<OTA_HotelResNotifRS ${OTA}><Success/></OTA_HotelResNotifRS>`);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/channel-managers/SANDBOX/notifications`;
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));
  beforeEach(() => {
    received = [];
  });

  const booking = (over: Partial<SandboxReservationInput> = {}): SandboxReservationInput => ({
    channel: 'BOOKING',
    reservationId: 'BK-1',
    status: 'Commit',
    hotelCode: 'H1',
    roomStays: [{ roomType: 'DBL', ratePlan: 'BAR', arrival: '2026-06-01', departure: '2026-06-03', quantity: 1, adults: 2, children: 1, amount: '220.00', currency: 'EUR' }],
    guest: { givenName: 'Ada', surname: 'Lovelace', email: 'ada@example.com', phone: '+44 20 1234' },
    lastModified: '2026-05-01T09:59:00Z',
    echoToken: 'wh-1',
    ...over,
  });
  const verify = (r: { headers: http.IncomingHttpHeaders; body: string }, key = secret) =>
    new Webhook(key).verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) }, { jsonParse: false });

  test('a signed OTA_HotelResNotifRQ verifiable with Webhook.verify; the channel decrements its own count (departure exclusive)', async () => {
    now = Date.now(); // Webhook.verify checks the timestamp against the real clock
    const { hub, post } = await hubFor({ webhook: { url: receiverUrl, secret, managerCode: 'SANDBOX' } });
    await post('BOOKING', invCount('H1', countRow('DBL', '2026-06-01', '2026-06-03', 1)));
    const delivery = await hub.sendReservation(booking());
    expect(delivery.status).toBe(200);
    expect(delivery.body).toContain('<Success/>');
    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(got.headers['webhook-id']).toBe(delivery.messageId);
    expect(got.headers['webhook-timestamp']).toBe(String(Math.floor(now / 1000)));
    expect(String(got.headers['webhook-signature'])).toMatch(/^v1,/);
    expect(() => verify(got)).not.toThrow();
    const rq = rs(got.body, 'OTA_HotelResNotifRQ');
    expect(rq['@EchoToken']).toBe('wh-1');
    const res = rq.HotelReservations.HotelReservation;
    expect(res['@ResStatus']).toBe('Commit');
    expect(res.UniqueID['@ID']).toBe('BK-1');
    expect(res.RoomStays.RoomStay.TimeSpan).toEqual({ '@Start': '2026-06-01', '@End': '2026-06-03' });
    expect(res.RoomStays.RoomStay.GuestCounts.GuestCount).toEqual([{ '@AgeQualifyingCode': '10', '@Count': '2' }, { '@AgeQualifyingCode': '8', '@Count': '1' }]);
    expect(res.ResGlobalInfo.Total).toEqual({ '@AmountAfterTax': '220', '@CurrencyCode': 'EUR' });
    expect(res.ResGlobalInfo.HotelReservationIDs.HotelReservationID['@ResID_Source']).toBe('BOOKING');
    expect(rq.POS.Source.BookingChannel.CompanyName['@Code']).toBe('BOOKING');
    expect(['2026-06-01', '2026-06-02', '2026-06-03'].map((d) => hub.count('BOOKING', 'H1', 'DBL', d))).toEqual([0, 0, 1]);
    expect(hub.sales('BOOKING')[0]).toMatchObject({ reservationId: 'BK-1', sellable: true });

    // A second sale on the channel's stale count is an oversell caused by the channel itself.
    await hub.sendReservation(booking({ reservationId: 'BK-2' }));
    expect(hub.sales('BOOKING').find((s) => s.reservationId === 'BK-2')?.sellable).toBe(false);
    // Cancelling gives the rooms back to the channel's own count.
    await hub.sendReservation(booking({ reservationId: 'BK-1', status: 'Cancelled', roomStays: [] }));
    expect(hub.count('BOOKING', 'H1', 'DBL', '2026-06-01')).toBe(1);
  });

  test('bad signature and timestamp skew are the receiver\'s to catch; redelivery keeps id and body, re-signs', async () => {
    now = Date.now();
    const { hub } = await hubFor({ webhook: { url: receiverUrl, secret, managerCode: 'SANDBOX' } });
    const other = `whsec_${Buffer.from('another-secret-entirely-0000000').toString('base64')}`;
    await hub.sendReservation(booking({ signWith: other }));
    expect(() => verify(received[0]!)).toThrow();
    expect(() => verify(received[0]!, other)).not.toThrow();

    const skewed = await hub.sendReservation(booking({ reservationId: 'BK-3', timestampSkewMs: -10 * 60_000 }));
    expect(received[1]!.headers['webhook-timestamp']).toBe(String(Math.floor((now - 600_000) / 1000)));
    expect(() => verify(received[1]!)).toThrow(/timestamp/i);

    now += 5_000;
    const again = await hub.redeliver(skewed.messageId);
    expect(again.messageId).toBe(skewed.messageId);
    expect(received[2]!.body).toBe(received[1]!.body);
    expect(received[2]!.headers['webhook-id']).toBe(received[1]!.headers['webhook-id']);
    expect(received[2]!.headers['webhook-signature']).not.toBe(received[1]!.headers['webhook-signature']);
    expect(() => verify(received[2]!)).not.toThrow();
  });

  test('prepared messages go out in any order (modify before create); SOAP envelope on request', async () => {
    now = Date.now();
    const { hub } = await hubFor({ webhook: { url: receiverUrl, secret, managerCode: 'SANDBOX' } });
    const create = hub.prepareReservation(booking({ reservationId: 'BK-9', envelope: 'soap' }));
    const modify = hub.prepareReservation(booking({ reservationId: 'BK-9', status: 'Modify', lastModified: '2026-05-01T10:30:00Z', envelope: 'soap' }));
    await hub.deliver(modify);
    await hub.deliver(create);
    expect(received.map((r) => rs(r.body, 'OTA_HotelResNotifRQ').HotelReservations.HotelReservation['@ResStatus'])).toEqual(['Modify', 'Commit']);
    expect(received[0]!.body).toContain('soap:Envelope');
    expect(received[0]!.headers.soapaction).toContain('HotelResNotif');
    expect(() => hub.prepareReservation(booking({ roomStays: [{ ...booking().roomStays[0]!, departure: '2026-06-01' }] }))).toThrow(/arrival 2026-06-01 must be a date before departure/);
  });

  test('control API: state, faults and reservations over HTTP', async () => {
    now = Date.now();
    const { base, post } = await hubFor({ webhook: { url: receiverUrl, secret, managerCode: 'SANDBOX' } });
    await post('EXPEDIA', invCount('H1', countRow('DBL', '2026-06-01', '2026-06-01', 4)));
    const state = (await (await fetch(`${base}/channels/EXPEDIA/state?hotel=H1`)).json()) as Node;
    expect(state.counts).toEqual([{ roomType: 'DBL', date: '2026-06-01', count: 4 }]);
    expect((await fetch(`${base}/control/faults/EXPEDIA`, { method: 'PUT', body: JSON.stringify({ kind: 'error', status: 503, times: 1 }) })).status).toBe(200);
    expect((await post('EXPEDIA', invCount('H1', countRow('DBL', '2026-06-01', '2026-06-01', 1)))).status).toBe(503);
    expect((await fetch(`${base}/control/faults/EXPEDIA`, { method: 'PUT', body: '{"kind":"nope"}' })).status).toBe(400);
    const sent = await fetch(`${base}/control/reservations`, { method: 'POST', body: JSON.stringify(booking({ channel: 'EXPEDIA', reservationId: 'EX-1' })) });
    expect(sent.status).toBe(200);
    expect(((await sent.json()) as Node).status).toBe(200);
    expect(received).toHaveLength(1);
    expect((await fetch(`${base}/channels/NOPE/state?hotel=H1`)).status).toBe(404);
  });
});
