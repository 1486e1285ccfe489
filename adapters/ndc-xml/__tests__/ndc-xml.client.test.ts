import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlightSupplierError } from '../../../domain/flights/model';
import { NdcXmlFlightSupplier } from '../adapter';
import { retryAfterMs } from '../client';

/** HTTP edge cases a real gateway produces and the sandbox does not. */
describe('NDC client over HTTP', () => {
  let reply: { status: number; body: string; headers?: Record<string, string> } = { status: 200, body: '' };
  const seen: { url: string; auth: string | undefined; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization, body });
      res.writeHead(reply.status, { 'content-type': 'application/xml', ...reply.headers });
      res.end(reply.body);
    });
  });
  let ndc: NdcXmlFlightSupplier;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    ndc = new NdcXmlFlightSupplier({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gw/`, version: '19.2', apiKey: 'k-123', timeoutMs: 2_000 });
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const kindOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof FlightSupplierError) return e;
      throw e;
    }
    throw new Error('expected a failure');
  };

  it('posts the versioned message with the key and the caller reference; 401 → auth', async () => {
    reply = { status: 401, body: 'no' };
    const err = await kindOf(ndc.createOrder({ offerId: 'OF-1', passengers: [{ id: 'p1', type: 'ADT', givenName: 'A & B', familyName: 'L<o>', bornOn: '1985-12-10' }], payment: { kind: 'hold' }, reference: 'wf-9:create' }));
    expect(err.kind).toBe('auth');
    const last = seen[seen.length - 1]!;
    expect(last.url).toBe('/gw/ndc/19.2/OrderCreate');
    expect(last.auth).toBe('Bearer k-123');
    expect(last.body).toContain('<IATA_OrderCreateRQ xmlns="http://www.iata.org/IATA/2015/00/2019.2/IATA_OrderCreateRQ">');
    expect(last.body).toContain('<ItineraReference>wf-9:create</ItineraReference>');
    expect(last.body).toContain('<GivenName>A &amp; B</GivenName><Surname>L&lt;o&gt;</Surname>');
  });

  it('a 4xx with an NDC error body maps its code; without one it is invalid-request; 502 with HTML is unavailable', async () => {
    reply = { status: 400, body: '<IATA_OrderViewRS xmlns="http://www.iata.org/IATA/2015/00/2019.2/IATA_OrderViewRS"><Error><Code>NOT_FOUND</Code><DescText>no order</DescText></Error></IATA_OrderViewRS>' };
    expect((await kindOf(ndc.getOrder('x'))).kind).toBe('not-found');
    reply = { status: 422, body: '<IATA_OrderViewRS xmlns="http://www.iata.org/IATA/2015/00/2019.2/IATA_OrderViewRS"/>' };
    expect(await kindOf(ndc.getOrder('x'))).toMatchObject({ kind: 'invalid-request', details: { status: 422 } });
    reply = { status: 502, body: '<html>Bad gateway</html>' };
    expect(await kindOf(ndc.getOrder('x'))).toMatchObject({ kind: 'unavailable', details: { status: 502 } });
    reply = { status: 200, body: '<html>maintenance</html>' };
    expect(await kindOf(ndc.getOrder('x'))).toMatchObject({ kind: 'malformed-response', details: { path: '/html' } });
  });

  it('Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('12')).toBe(12_000);
    expect(retryAfterMs('Mon, 01 Mar 2027 10:00:30 GMT', Date.parse('2027-03-01T10:00:00Z'))).toBe(30_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('refuses an unknown version at construction', () => {
    expect(() => new NdcXmlFlightSupplier({ baseUrl: 'http://x', version: '18.1' as '19.2' })).toThrow(RangeError);
  });
});
