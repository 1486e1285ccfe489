import { FlightSupplierError } from '../../../domain/flights/model';
import { FaultBook, parseFault } from '../faults';
import type { FrontContext, FrontHandler } from '../front';
import { startSandboxGds, type SandboxGds } from '../server';

const T0 = Date.parse('2027-03-01T10:00:00Z');

describe('X-Sandbox-Fault parsing', () => {
  it('reads every fault into a typed Fault', () => {
    expect(parseFault('status=503;times=2')).toEqual({ ok: true, fault: { latencyMs: 0, action: { kind: 'status', status: 503 }, times: 2, key: null } });
    expect(parseFault(' latency=250 ; status=504 ')).toEqual({ ok: true, fault: { latencyMs: 250, action: { kind: 'status', status: 504 }, times: null, key: null } });
    expect(parseFault('rate-limit=7')).toMatchObject({ ok: true, fault: { action: { kind: 'rate-limit', retryAfterSeconds: 7 } } });
    expect(parseFault('timeout')).toMatchObject({ ok: true, fault: { action: { kind: 'timeout' } } });
    for (const f of ['fare-changed', 'sold-out', 'fail-after-commit'] as const) {
      expect(parseFault(`${f};times=1;key=k1`)).toEqual({ ok: true, fault: { latencyMs: 0, action: { kind: 'business', fault: f }, times: 1, key: 'k1' } });
    }
  });

  it('refuses what it does not understand, saying why', () => {
    for (const bad of ['', 'status=404', 'status=5xx', 'latency=-1', 'latency=fast', 'times=0', 'timeout=3', 'explode', 'status=503;timeout', 'sold-out=1', 'key=']) {
      const parsed = parseFault(bad);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.length).toBeGreaterThan(5);
    }
  });

  it('applies `times` to the first N requests per header value, method and path (or per key)', () => {
    const book = new FaultBook([{ method: 'POST', path: '/air/orders', fault: 'status=502;times=1' }]);
    const kinds = (m: string, p: string, h?: string) => {
      const r = book.pick(m, p, h);
      return r.ok ? (r.fault?.action?.kind ?? null) : 'error';
    };
    expect([kinds('GET', '/air/x', 'status=503;times=2'), kinds('GET', '/air/x', 'status=503;times=2'), kinds('GET', '/air/x', 'status=503;times=2')]).toEqual(['status', 'status', null]);
    expect(kinds('GET', '/air/y', 'status=503;times=2')).toBe('status'); // another path, its own count
    expect([kinds('GET', '/a', 'timeout;times=1;key=k'), kinds('GET', '/b', 'timeout;times=1;key=k')]).toEqual(['timeout', null]);
    expect([kinds('GET', '/air/orders'), kinds('POST', '/air/orders'), kinds('POST', '/air/orders')]).toEqual([null, 'status', null]);
    expect(kinds('GET', '/x', 'nonsense')).toBe('error');
    book.resetCounters();
    expect(kinds('POST', '/air/orders')).toBe('status');
  });
});

describe('sandbox GDS server', () => {
  let gds: SandboxGds;
  const seen: Omit<FrontContext, 'req' | 'res' | 'core' | 'now'>[] = [];
  /** A fake front: echoes what it was given, and runs a create-order through ctx.core on POST /orders. */
  const fake: FrontHandler = async (ctx) => {
    seen.push({ body: ctx.body, url: ctx.url, path: ctx.path, fault: ctx.fault });
    let status = 200;
    let out: unknown = { path: ctx.path, fault: ctx.fault, now: ctx.now() };
    if (ctx.path === '/orders') {
      const [offer] = await ctx.core.search({ slices: [{ origin: 'LHR', destination: 'CDG', departureDate: '2027-03-10' }], passengers: [{ type: 'ADT' }], cabin: 'ECONOMY' });
      try {
        out = await ctx.core.createOrder({ offerId: offer!.id, passengers: [{ id: 'p1', type: 'ADT', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1985-12-10' }], payment: { kind: 'instant', amount: offer!.total }, reference: ctx.body.toString() });
      } catch (e) {
        if (!(e instanceof FlightSupplierError)) throw e;
        status = e.kind === 'unavailable' ? 500 : 409;
        out = { error: e.kind };
      }
    }
    const text = JSON.stringify(out);
    ctx.res.writeHead(status, { 'content-type': 'application/json' });
    ctx.res.end(text);
  };
  const call = async (path: string, init: RequestInit & { fault?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.fault) headers.set('X-Sandbox-Fault', init.fault);
    const res = await fetch(`${gds.url}${path}`, { ...init, headers });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };

  beforeAll(async () => {
    gds = await startSandboxGds({ now: () => T0, fronts: { air: fake }, timeoutHoldMs: 150 });
  });
  afterAll(() => gds?.close());
  beforeEach(async () => {
    seen.length = 0;
    await call('/sandbox/reset', { method: 'POST' });
  });

  it('answers health with X-Sandbox: true and routes /air/* to the Duffel front with the path, body and no fault', async () => {
    const health = await call('/sandbox/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('x-sandbox')).toBe('true');
    expect(JSON.parse(health.body)).toEqual({ status: 'ok', sandbox: true, supplier: 'itinera-sandbox', now: T0 });
    const r = await call('/air/offer_requests?return_offers=true', { method: 'POST', body: '{"data":{}}' });
    expect([r.status, r.headers.get('x-sandbox'), JSON.parse(r.body)]).toEqual([200, 'true', { path: '/offer_requests', fault: null, now: T0 }]);
    expect(seen[0]!.body.toString()).toBe('{"data":{}}');
    expect(seen[0]!.url.searchParams.get('return_offers')).toBe('true');
    const missing = await call('/nowhere');
    expect([missing.status, missing.headers.get('x-sandbox')]).toEqual([404, 'true']);
  });

  it('status=503;times=2 fails twice, then lets the retry through to the front', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('/air/offers/off_1', { fault: 'status=503;times=2' })).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(seen).toHaveLength(1);
    const bad = await call('/air/offers', { fault: 'status=418' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('bad_fault_header');
  });

  it('rate-limit answers 429 with Retry-After; 500/502/504 answer in the front’s format', async () => {
    const r = await call('/air/offers', { fault: 'rate-limit=7' });
    expect([r.status, r.headers.get('retry-after')]).toEqual([429, '7']);
    for (const s of [500, 502, 504]) expect((await call('/air/offers', { fault: `status=${s}` })).status).toBe(s);
    const xml = await call('/ndc/AirShopping', { fault: 'status=500' });
    expect(xml.headers.get('content-type')).toContain('xml');
    expect(xml.body).toContain('<ErrorRS sandbox="true">');
    expect(seen).toHaveLength(0);
  });

  it('latency delays the answer past a short client timeout; timeout never answers and drops the socket at the cap', async () => {
    await expect(fetch(`${gds.url}/air/offers`, { headers: { 'X-Sandbox-Fault': 'latency=400' }, signal: AbortSignal.timeout(40) })).rejects.toThrow();
    await expect(fetch(`${gds.url}/air/offers`, { headers: { 'X-Sandbox-Fault': 'timeout' }, signal: AbortSignal.timeout(40) })).rejects.toThrow();
    // No client timeout: the server gives up at timeoutHoldMs (150 ms) and closes the connection unanswered.
    await expect(fetch(`${gds.url}/air/offers`, { headers: { 'X-Sandbox-Fault': 'timeout' } })).rejects.toThrow();
    const slow = await call('/air/offers', { fault: 'latency=20' });
    expect(slow.status).toBe(200);
  });

  it('passes business faults to the front through a scoped core: fail-after-commit commits, then 500', async () => {
    const lost = await call('/air/orders', { method: 'POST', body: 'wf-9:create', fault: 'fail-after-commit' });
    expect([lost.status, JSON.parse(lost.body)]).toEqual([500, { error: 'unavailable' }]);
    expect(seen[0]!.fault).toBe('fail-after-commit');
    const found = await gds.core.findOrderByReference('wf-9:create');
    expect(found).toMatchObject({ status: 'TICKETED', reference: 'wf-9:create' });
    expect((await call('/air/orders', { method: 'POST', body: 'wf-10', fault: 'sold-out' })).body).toBe('{"error":"sold-out"}');
    const ok = await call('/air/orders', { method: 'POST', body: 'wf-10' });
    expect(JSON.parse(ok.body)).toMatchObject({ status: 'TICKETED', reference: 'wf-10' });
  });

  it('configured faults apply without a header; reset clears orders and counters; the clock can be moved', async () => {
    gds.faults.add({ method: 'POST', path: '/air/orders', fault: 'status=502;times=1' });
    expect((await call('/air/orders', { method: 'POST', body: 'r1' })).status).toBe(502);
    expect((await call('/air/orders', { method: 'POST', body: 'r1' })).status).toBe(200);
    await call('/sandbox/reset', { method: 'POST' });
    expect(await gds.core.findOrderByReference('r1')).toBeNull();
    expect((await call('/air/orders', { method: 'POST', body: 'r1' })).status).toBe(502);
    gds.faults.clear();

    const moved = await call('/sandbox/clock', { method: 'POST', body: JSON.stringify({ offsetMs: 3_600_000 }) });
    expect(JSON.parse(moved.body)).toMatchObject({ now: T0 + 3_600_000 });
    expect(JSON.parse((await call('/air/x')).body).now).toBe(T0 + 3_600_000);
    await call('/sandbox/clock', { method: 'POST', body: JSON.stringify({ now: T0 }) });
    expect((await call('/sandbox/clock', { method: 'POST', body: '{"offsetMs":"soon"}' })).status).toBe(400);
  });
});
