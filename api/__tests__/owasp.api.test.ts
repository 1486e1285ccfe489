import type { Server } from 'node:http';
import express, { type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { PrismaCustomerStore } from '../../activities/customers.prisma';
import { ROLE_PERMISSIONS, type Role } from '../../domain/access/roles';
import { addDays } from '../../domain/catalog/dates';
import type { CustomerWrite } from '../../domain/customers/model';
import { calendarDateIn } from '../../domain/time/instant';
import type { Database } from '../../infra/database';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { silentLogger, testAccess } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { authorize } from '../access/authorize';
import type { Principal } from '../access/principal';
import { routePolicy } from '../access/route-match';
import { errorHandler } from '../error-handler';
import { sendProblem } from '../problem';
import { bookingRoutes } from '../routes/bookings.routes';
import { customersRouter } from '../routes/customers.routes';
import * as bookingSchemas from '../schemas/booking.schema';
import * as customerSchemas from '../schemas/customer.schema';

/**
 * OWASP API Security Top 10 negative tests (issue 9) on the real booking and customer routers
 * behind the access middleware: broken object-level authorisation across branches (API1), mass
 * assignment (API3), excessive data exposure (API3), unknown routes and missing credentials
 * (API5/API9). Temporal is unreachable: the guards tested here answer before any workflow call.
 */

const NOW = Date.parse('2026-11-29T09:00:00.000Z');
const today = calendarDateIn(Date.now(), 'UTC');
const LON_BOOKING = 'ITN-AAAA1111';
const MAN_BOOKING = 'ITN-BBBB2222';
const ORPHAN_BOOKING = 'ITN-CCCC3333'; // no advisor: in no branch
const UNKNOWN_BOOKING = 'ITN-DDDD4444';

function principal(role: Role, extra: Partial<Principal> = {}): Principal {
  return { kind: 'user', id: `u-${role}`, name: `${role.toLowerCase()}@example.com`, role, permissions: new Set(ROLE_PERMISSIONS[role]), branch: null, allBranches: role !== 'ADVISOR', advisorId: null, sessionId: 's', mfaAt: NOW, ...extra };
}

const principals: Record<string, Principal> = {
  lon: principal('ADVISOR', { id: 'u-lon', branch: 'LON', advisorId: 'A-LON' }),
  nobranch: principal('ADVISOR', { id: 'u-none', branch: null }),
  everywhere: principal('ADVISOR', { id: 'u-all', branch: 'LON', advisorId: 'A-LON2', allBranches: true }),
  finance: principal('FINANCE'),
};

const asPrincipal: RequestHandler = (req, res, next) => {
  const who = req.get('x-test-principal');
  if (who && principals[who]) res.locals.principal = principals[who];
  next();
};

const base = { status: 'ACTIVE' as const, preferences: { dietary: [], preferredAirlines: [], anniversaries: [] }, contactPreferences: { doNotContact: false }, addresses: [], phones: [], legacyIds: [] };
const customer = (id: string, advisorId: string, email: string, token: string): CustomerWrite => ({
  ...base,
  id,
  firstName: 'Ann',
  lastName: `Traveller ${id}`,
  advisorId,
  emails: [{ address: email, normalized: email, primary: true }],
  paymentMethods: [{ token, brand: 'VISA', last4: token.slice(-4), expiry: '2030-01' }],
});

describe('OWASP API negative tests: branches, mass assignment, data exposure', () => {
  let db: Database;
  let server: Server;

  beforeAll(async () => {
    db = await openTestPglite();
    const store = new PrismaCustomerStore(db.prisma);
    await store.upsertAdvisors([
      { advisorId: 'A-LON', name: 'London Advisor', branch: 'LON', active: true },
      { advisorId: 'A-LON2', name: 'Second London Advisor', branch: 'LON', active: true },
      { advisorId: 'A-MAN', name: 'Manchester Advisor', branch: 'MAN', active: true },
    ]);
    await store.writeCustomers(
      [
        customer('c-lon', 'A-LON', 'lon@example.com', '4111111111111111'),
        customer('c-man', 'A-MAN', 'man@example.com', '4000056655665556'),
        // The same e-mail in both branches: a London look-up must find (and count) only London's.
        customer('c-shared-lon', 'A-LON2', 'shared@example.com', '5555555555554444'),
        customer('c-shared-man', 'A-MAN', 'shared@example.com', '5105105105105100'),
      ],
      { reason: 'test', at: new Date(NOW) },
    );
    const booking = (reference: string, customerId: string, advisorId: string | null) => ({
      reference,
      workflowId: `booking-${reference}`,
      customerId,
      advisorId,
      productCode: 'HOTEL',
      travelDate: new Date(`${addDays(today, 30)}T00:00:00.000Z`),
      amount: '1200.0000',
      currency: 'GBP',
      status: 'CONFIRMED' as const,
      expiresAt: new Date(NOW + 86_400_000),
      snapshot: { reference, status: 'CONFIRMED', customerId, advisorId },
    });
    await db.prisma.booking.createMany({ data: [booking(LON_BOOKING, 'c-lon', 'A-LON'), booking(MAN_BOOKING, 'c-man', 'A-MAN'), booking(ORPHAN_BOOKING, 'c-man', null)] });

    const temporal = new TemporalClientProvider({ address: '127.0.0.1:1', namespace: 'default' });
    const app = express();
    app.use(pinoHttp({ logger: silentLogger }));
    app.use(express.json());
    app.use(routePolicy());
    app.use(asPrincipal);
    app.use(authorize({ audit: { record: async () => undefined }, clock: () => NOW }));
    app.use(bookingRoutes({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger: silentLogger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma), access: testAccess(db) }));
    app.use(customersRouter({ prisma: db.prisma, store, now: () => NOW, operatorTimeZone: 'UTC' }));
    app.use((req, res) => sendProblem(res, { status: 404, title: 'Not found', detail: `No route for ${req.method} ${req.path}`, type: '/problems/not-found' }));
    app.use(errorHandler);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  const as = (who: string) => {
    const agent = request(server);
    return {
      get: (url: string) => agent.get(url).set('x-test-principal', who),
      post: (url: string, body: object = {}) => agent.post(url).set('x-test-principal', who).send(body),
      put: (url: string, body: object) => agent.put(url).set('x-test-principal', who).send(body),
    };
  };
  const refs = (body: { items: { reference: string }[] }) => body.items.map((b) => b.reference).sort();
  const ids = (body: { items: { id: string }[] }) => body.items.map((c) => c.id).sort();

  describe('API1 broken object-level authorisation: an advisor sees their branch only', () => {
    it('lists only the branch bookings, even when asking for another branch advisor', async () => {
      expect(refs((await as('lon').get('/bookings').expect(200)).body)).toEqual([LON_BOOKING]);
      expect((await as('lon').get('/bookings?advisorId=A-MAN').expect(200)).body).toEqual({ items: [], nextCursor: null });
      expect((await as('lon').get('/bookings?status=CONFIRMED&customerId=c-man').expect(200)).body.items).toEqual([]);
      expect((await as('nobranch').get('/bookings').expect(200)).body.items).toEqual([]);
      expect(refs((await as('finance').get('/bookings').expect(200)).body)).toEqual([LON_BOOKING, MAN_BOOKING, ORPHAN_BOOKING]);
      expect(refs((await as('everywhere').get('/bookings').expect(200)).body)).toEqual([LON_BOOKING, MAN_BOOKING, ORPHAN_BOOKING]);
    });

    it("answers another branch's booking exactly as an unknown one (404), for reads and every action", async () => {
      const unknown = (await as('lon').get(`/bookings/${UNKNOWN_BOOKING}`)).body as { detail: string };
      const urls = (ref: string): Array<[string, object]> => [
        [`/bookings/${ref}/payments`, { amount: { amount: '10.00', currency: 'GBP' }, method: 'card' }],
        [`/bookings/${ref}/cancellation/preview`, {}],
        [`/bookings/${ref}/cancellation`, { reason: 'changed my mind' }],
        [`/bookings/${ref}/members/m1/name`, { firstName: 'Eve', lastName: 'Intruder' }],
        [`/bookings/${ref}/amendments/preview`, { departureDate: addDays(today, 40) }],
        [`/bookings/${ref}/amendments`, { quoteId: 'q1' }],
        [`/bookings/${ref}/complaints`, { category: 'OTHER', severity: 'LOW', notes: 'x' }],
        [`/bookings/${ref}/complaints/c1/assign`, { assignee: 'A-LON' }],
        [`/bookings/${ref}/complaints/c1/resolve`, { resolution: 'done' }],
      ];
      for (const ref of [MAN_BOOKING, ORPHAN_BOOKING]) {
        const read = await as('lon').get(`/bookings/${ref}`).expect(404);
        expect(read.body).toMatchObject({ type: '/problems/not-found', detail: unknown.detail.replace(UNKNOWN_BOOKING, ref) });
        for (const [url, body] of urls(ref)) {
          const res = await as('lon').post(url, body).set('Idempotency-Key', 'k-1');
          expect([url, res.status, res.body.type]).toEqual([url, 404, '/problems/not-found']);
        }
      }
      // The branch check comes before the body is read: a malformed body tells nothing either.
      await as('lon').post(`/bookings/${MAN_BOOKING}/payments`, { amount: 'lots' }).set('Idempotency-Key', 'k-2').expect(404);
    });

    it("answers another branch's customer exactly as an unknown one (404): profile, trips, reassignment", async () => {
      expect(ids((await as('lon').get('/customers').expect(200)).body)).toEqual(['c-lon', 'c-shared-lon']);
      expect(ids((await as('lon').get('/customers?advisorId=A-MAN').expect(200)).body)).toEqual([]);
      expect(ids((await as('lon').get('/customers?q=man@example.com').expect(200)).body)).toEqual([]);
      expect((await as('nobranch').get('/customers').expect(200)).body.items).toEqual([]);
      expect(ids((await as('finance').get('/customers').expect(200)).body)).toHaveLength(4);

      const unknown = await as('lon').get('/customers/c-nobody').expect(404);
      const other = await as('lon').get('/customers/c-man').expect(404);
      expect(other.body.detail).toBe(unknown.body.detail.replace('c-nobody', 'c-man'));
      await as('lon').get('/customers/c-man/trips').expect(404);
      await as('lon').put('/customers/c-man/advisor', { advisorId: 'A-LON', reason: 'poaching' }).expect(404);
      await as('lon').get('/customers/c-lon').expect(200);
      await as('finance').get('/customers/c-man').expect(200);
      // Nothing changed hands.
      expect((await db.prisma.customer.findUnique({ where: { id: 'c-man' } }))?.advisorId).toBe('A-MAN');
    });

    it('looks contacts up in the branch only, without counting the other branches', async () => {
      await as('lon').get('/customers/lookup?email=man@example.com').expect(404);
      const shared = await as('lon').get('/customers/lookup?email=shared@example.com').expect(200);
      expect(shared.body).toMatchObject({ candidates: 1, customer: { id: 'c-shared-lon' } });
      expect((await as('finance').get('/customers/lookup?email=shared@example.com').expect(200)).body.candidates).toBe(2);
      await as('nobranch').get('/customers/lookup?email=lon@example.com').expect(404);
    });

    it('refuses handing a customer, or a new booking, to an advisor of another branch (422 at /advisorId)', async () => {
      const moved = await as('lon').put('/customers/c-lon/advisor', { advisorId: 'A-MAN', reason: 'move' }).expect(422);
      expect(moved.body.errors).toEqual([{ pointer: '/advisorId', detail: 'advisor A-MAN is not in your branch' }]);
      const booked = await as('lon').post('/bookings', bookingBody({ advisorId: 'A-MAN' })).expect(422);
      expect(booked.body.errors).toEqual([{ pointer: '/advisorId', detail: 'advisor A-MAN is not in your branch' }]);
      await as('lon').post('/bookings', bookingBody({ advisorId: 'A-NOBODY' })).expect(422);
      // Within the branch the request goes on (here to Temporal, which is unreachable: 503, not a refusal).
      const within = await as('lon').post('/bookings', bookingBody({ advisorId: 'A-LON2' }));
      expect(within.status).not.toBe(422);
      expect(within.status).not.toBe(403);
      expect((await db.prisma.customer.findUnique({ where: { id: 'c-lon' } }))?.advisorId).toBe('A-LON');
    });
  });

  describe('API3 mass assignment: bodies are strict', () => {
    it('refuses fields a client may not set, naming each', async () => {
      const res = await as('lon').post('/bookings', { ...bookingBody({}), status: 'CONFIRMED', paid: { amount: '9999.00', currency: 'GBP' }, role: 'ADMIN' }).expect(422);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          { pointer: '/status', detail: 'is not a known field' },
          { pointer: '/paid', detail: 'is not a known field' },
          { pointer: '/role', detail: 'is not a known field' },
        ]),
      );
      const pay = await as('lon')
        .post(`/bookings/${LON_BOOKING}/payments`, { amount: { amount: '10.00', currency: 'GBP' }, method: 'card', status: 'PAID', balanceDue: '0' })
        .set('Idempotency-Key', 'pay-1')
        .expect(422);
      expect(pay.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/balanceDue', '/status']);
      const reassign = await as('lon').put('/customers/c-lon/advisor', { advisorId: 'A-LON2', reason: 'x', branch: 'MAN', role: 'ADMIN' }).expect(422);
      expect(reassign.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/branch', '/role']);
    });

    it('every request body schema of bookings and customers rejects unknown keys', () => {
      const bodies = {
        createBooking: bookingSchemas.createBookingRequestSchema(today),
        payment: bookingSchemas.PaymentRequestSchema,
        cancellationPreview: bookingSchemas.CancellationPreviewSchema,
        cancellation: bookingSchemas.CancellationRequestSchema,
        nameChange: bookingSchemas.NameChangeSchema,
        amendmentPreview: bookingSchemas.amendmentPreviewSchema(today),
        amendment: bookingSchemas.AmendmentAcceptSchema,
        complaint: bookingSchemas.ComplaintRequestSchema,
        complaintAssign: bookingSchemas.ComplaintAssignSchema,
        complaintResolve: bookingSchemas.ComplaintResolveSchema,
        reassign: customerSchemas.ReassignAdvisorRequest,
      };
      const lax = Object.entries(bodies)
        .filter(([, schema]) => {
          const parsed = schema.safeParse({ advisorId: 'A-MAN', isAdmin: true });
          return parsed.success || !parsed.error.issues.some((i) => i.code === 'unrecognized_keys' && i.keys.includes('isAdmin'));
        })
        .map(([name]) => name);
      expect(lax).toEqual([]);
    });
  });

  describe('API3 excessive data exposure', () => {
    const CARDS = ['4111111111111111', '4000056655665556', '5555555555554444', '5105105105105100'];
    const SECRET_KEYS = /password|totp|secret|recovery|hash/i;

    it('shows advisors no card numbers and no credentials in customers and bookings', async () => {
      const answers = await Promise.all([
        as('lon').get('/customers/c-lon').expect(200),
        as('lon').get('/customers').expect(200),
        as('lon').get('/customers/lookup?email=lon@example.com').expect(200),
        as('lon').get('/bookings').expect(200),
      ]);
      for (const res of answers) {
        for (const card of CARDS) expect(res.text).not.toContain(card);
        expect(res.text).not.toMatch(SECRET_KEYS);
      }
      expect(answers[0]!.body.financial.paymentMethods).toEqual([expect.objectContaining({ token: '****1111', last4: '1111' })]);
    });
  });

  describe('API5/API9: credentials and unknown routes', () => {
    it('answers a known route without credentials 401 and an unknown route 404, never 200', async () => {
      const anon = request(server);
      const noCreds = await anon.get('/bookings').expect(401);
      expect(noCreds.text).not.toContain(LON_BOOKING);
      await anon.get(`/customers/c-lon`).expect(401);
      for (const url of ['/admin', '/bookings/../users', '/.env', '/internal/debug']) {
        const res = await anon.get(url);
        expect([url, res.status]).toEqual([url, 404]);
      }
      const post = await anon.post('/admin/users').send({ role: 'ADMIN' });
      expect(post.status).toBe(404);
    });
  });
});

/** A well-formed booking body (a transfer for two), with `extra` fields merged in. */
function bookingBody(extra: Record<string, unknown>) {
  const departure = addDays(calendarDateIn(Date.now(), 'UTC'), 30);
  return {
    customerId: 'c-lon',
    currency: 'GBP',
    departureDate: departure,
    returnDate: addDays(departure, 3),
    components: [{ id: 'transfer', kind: 'TRANSFER', supplierCode: 'SUPP1', productCode: 'TRF1', category: 'STD', startDate: departure, nights: 0, units: [{ adults: 2, childAges: [] }] }],
    ...extra,
  };
}
