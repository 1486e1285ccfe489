import express from 'express';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { PrismaChannelInbox } from '../../activities/channel-inbox.prisma';
import { buildReservationNotification, parseReservationNotificationResponse } from '../../adapters/opentravel-xml/inbound';
import type { InboundReservation } from '../../domain/channels/model';
import type { Database } from '../../infra/database';
import { channelHotel, reservation } from '../../activities/__tests__/channel-inbox-fixtures';
import { silentLogger } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import type { Principal } from '../access/principal';
import { errorHandler } from '../error-handler';
import { channelWebhookRoutes } from '../routes/channel-webhooks.routes';
import { ChannelReservationDetailResponse, ChannelReservationListResponse } from '../schemas/channel-webhooks.schema';

const NOW = Date.parse('2027-05-01T12:00:00Z');
const SECRET = `whsec_${Buffer.from('itinera-test-secret-0123456789ab').toString('base64')}`;

describe('POST /channel-managers/:code/notifications (PGlite, no Temporal: hand-over left to the sweep)', () => {
  let db: Database;
  let app: express.Express;
  let hotel: Awaited<ReturnType<typeof channelHotel>>;
  let wsseHotel: { hotelCode: string; managerCode: string };

  beforeAll(async () => {
    db = await openTestPglite();
    hotel = await channelHotel(db, { suffix: 'WH', rooms: 3, from: '2027-06-01', to: '2027-06-10', secret: SECRET });
    wsseHotel = await channelHotel(db, { suffix: 'WS', rooms: 3, from: '2027-06-01', to: '2027-06-10', wsse: { username: 'hub', password: 's3cret' } });
    app = appAs(null);
  });

  /** The routes as `principal` calls them (null: no access layer, every branch). */
  const appAs = (principal: Principal | null) => {
    const inbox = new PrismaChannelInbox(db.prisma, hotel.inventory);
    const a = express();
    if (principal) {
      a.use((_req, res, next) => {
        res.locals.principal = principal;
        next();
      });
    }
    a.use(channelWebhookRoutes({ prisma: db.prisma, inbox, temporal: { get: () => Promise.reject(new Error('Temporal is not running in this test')) }, logger: silentLogger, clock: () => NOW }));
    a.use(errorHandler);
    return a;
  };
  afterAll(() => db?.close());

  const xmlOf = (reservations: InboundReservation[], echoToken = 'ECHO-1') => buildReservationNotification({ echoToken, timeStamp: NOW, reservations });
  const signed = (body: string, id: string, opts: { at?: number; secret?: string } = {}) => {
    const at = new Date(opts.at ?? NOW);
    return {
      'content-type': 'application/xml',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(opts.secret ?? SECRET).sign(id, at, body),
    };
  };
  const post = (body: string, headers: Record<string, string>, manager = hotel.managerCode) => request(app).post(`/channel-managers/${manager}/notifications`).set(headers).send(body);
  const counts = async () => ({ messages: await db.prisma.channelWebhookMessage.count(), notifications: await db.prisma.channelNotification.count() });

  it('stores a signed notification, answers Success echoing the EchoToken; a redelivery answers the same and changes nothing', async () => {
    const body = xmlOf([reservation(hotel.hotelCode, 'BK-100', 1, 'new')], 'ECHO-100');
    const first = await post(body, signed(body, 'msg-100')).expect(200);
    expect(first.headers['content-type']).toMatch(/xml/);
    const rs = parseReservationNotificationResponse(first.text);
    expect(rs).toMatchObject({ ok: true, echoToken: 'ECHO-100', results: [{ reservationId: 'BK-100' }] });
    const stored = await db.prisma.channelNotification.findMany({ where: { reservationId: 'BK-100' } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ channelManagerCode: hotel.managerCode, resStatus: 'new', statusWord: 'Commit', originatingChannel: 'BOOKING', messageId: 'msg-100', echoToken: 'ECHO-100', processedAt: null });

    const before = await counts();
    const again = await post(body, signed(body, 'msg-100')).expect(200);
    expect(again.text).toBe(first.text);
    expect(await counts()).toEqual(before);
    // The same reservation version under another webhook id: acknowledged, a duplicate, nothing new.
    const other = await post(body, signed(body, 'msg-101')).expect(200);
    expect(parseReservationNotificationResponse(other.text)).toMatchObject({ ok: true, results: [{ reservationId: 'BK-100' }] });
    expect((await counts()).notifications).toBe(before.notifications);
  });

  it.each([
    ['a bad signature', (body: string) => signed(body, 'msg-bad', { secret: `whsec_${Buffer.from('another-secret-another-secret!!!').toString('base64')}` })],
    ['a timestamp 6 minutes old', (body: string) => signed(body, 'msg-old', { at: NOW - 6 * 60_000 })],
    ['a timestamp 6 minutes ahead', (body: string) => signed(body, 'msg-new', { at: NOW + 6 * 60_000 })],
    ['missing headers', () => ({ 'content-type': 'application/xml' })],
  ])('refuses %s with 401 problem+json and stores nothing', async (_what, headersOf) => {
    const body = xmlOf([reservation(hotel.hotelCode, 'BK-401', 1, 'new')]);
    const before = await counts();
    const res = await post(body, headersOf(body)).expect(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized', detail: 'The notification could not be authenticated.' });
    expect(await counts()).toEqual(before);
  });

  it('accepts a timestamp 4 minutes off; refuses a replayed webhook id with another body (401, nothing stored)', async () => {
    const body = xmlOf([reservation(hotel.hotelCode, 'BK-200', 1, 'new')]);
    await post(body, signed(body, 'msg-200', { at: NOW - 4 * 60_000 })).expect(200);
    const before = await counts();
    const forged = xmlOf([reservation(hotel.hotelCode, 'BK-200', 2, 'modified', { quantity: 3 })]);
    const res = await post(forged, signed(forged, 'msg-200')).expect(401);
    expect(res.body.detail).toBe('The notification could not be authenticated.');
    expect(await counts()).toEqual(before);
  });

  it('refuses an unknown channel manager with the same 401', async () => {
    const body = xmlOf([reservation(hotel.hotelCode, 'BK-300', 1, 'new')]);
    const res = await post(body, signed(body, 'msg-300'), 'NOBODY').expect(401);
    expect(res.body.detail).toBe('The notification could not be authenticated.');
  });

  const errorsOf = (text: string) => {
    const rs = parseReservationNotificationResponse(text);
    if (rs.ok) throw new Error(`expected Errors, got ${text}`);
    return rs;
  };

  it.each([
    ['malformed XML', () => '<OTA_HotelResNotifRQ><HotelReservations>', ['450']],
    ['an unknown hotel', () => xmlOf([reservation('H-NOPE', 'BK-E1', 1, 'new')]), ['392']],
    ['an unknown room type', () => xmlOf([reservation(hotel.hotelCode, 'BK-E2', 1, 'new', { roomType: 'SUITE' })]), ['402']],
    ['an unknown rate plan', () => xmlOf([reservation(hotel.hotelCode, 'BK-E3', 1, 'new', { ratePlan: 'NRF' })]), ['249']],
    ['reversed dates', () => xmlOf([reservation(hotel.hotelCode, 'BK-E4', 1, 'new', { arrival: '2027-06-05', departure: '2027-06-03' })]), ['15']],
    ['an amount without currency', () => xmlOf([reservation(hotel.hotelCode, 'BK-E5', 1, 'new')]).replace(/ CurrencyCode="EUR"/g, ''), ['61']],
  ])('answers %s with OTA Errors (HTTP 200, EchoToken echoed) and stores nothing', async (_what, bodyOf, codes) => {
    const body = bodyOf();
    const before = await counts();
    const res = await post(body, signed(body, `msg-${_what}`)).expect(200);
    const rs = errorsOf(res.text);
    expect(rs.problems.map((p) => p.code)).toEqual(expect.arrayContaining(codes));
    if (codes[0] !== '450') expect(rs.echoToken).toBe('ECHO-1');
    expect(await counts()).toEqual(before);
  });

  it('WS-Security managers: the right UsernameToken is accepted, a wrong or missing one is 401', async () => {
    const r = reservation(wsseHotel.hotelCode, 'WS-1', 1, 'new');
    const good = buildReservationNotification({ echoToken: 'E-WS', timeStamp: NOW, reservations: [r] }, { wsse: { username: 'hub', password: 's3cret' } });
    const wrong = buildReservationNotification({ echoToken: 'E-WS', timeStamp: NOW, reservations: [r] }, { wsse: { username: 'hub', password: 'guess' } });
    const bare = buildReservationNotification({ echoToken: 'E-WS', timeStamp: NOW, reservations: [r] });
    const before = await counts();
    for (const body of [wrong, bare]) await post(body, { 'content-type': 'text/xml' }, wsseHotel.managerCode).expect(401);
    expect(await counts()).toEqual(before);
    const ok = await post(good, { 'content-type': 'text/xml' }, wsseHotel.managerCode).expect(200);
    expect(parseReservationNotificationResponse(ok.text)).toMatchObject({ ok: true, echoToken: 'E-WS' });
    expect((await counts()).notifications).toBe(before.notifications + 1);
  });

  it('GET /channel-reservations lists reservations; the detail shows the notification history', async () => {
    const inbox = new PrismaChannelInbox(db.prisma, hotel.inventory);
    const pending = await db.prisma.channelNotification.findFirstOrThrow({ where: { reservationId: 'BK-100' } });
    await inbox.apply(pending.id, new Date(NOW));
    const list = await request(app).get(`/channel-reservations?hotel=${hotel.hotelCode}&status=CONFIRMED`).expect(200);
    // The answers have the shapes the OpenAPI document gives them.
    ChannelReservationListResponse.parse(list.body);
    expect(list.body.items.map((i: { reservationId: string }) => i.reservationId)).toContain('BK-100');
    const detail = await request(app).get(`/channel-reservations/${hotel.managerCode}/BK-100`).expect(200);
    ChannelReservationDetailResponse.parse(detail.body);
    expect(detail.body.reservation).toMatchObject({ status: 'CONFIRMED', hotelCode: hotel.hotelCode, originatingChannel: 'BOOKING' });
    expect(detail.body.notifications).toEqual([expect.objectContaining({ action: 'new', outcome: 'APPLIED' })]);
    await request(app).get(`/channel-reservations/${hotel.managerCode}/NOPE`).expect(404);
    await request(app).get('/channel-reservations?status=MAYBE').expect(400);
  });
  it("a branch-limited advisor sees only the reservations routed to their branch's advisors, the limit counted after that filter", async () => {
    const body = xmlOf([reservation(hotel.hotelCode, 'BK-200', 1, 'new', { arrival: '2027-06-07', departure: '2027-06-08' })], 'ECHO-200');
    await post(body, signed(body, 'msg-branch-200')).expect(200);
    const inbox = new PrismaChannelInbox(db.prisma, hotel.inventory);
    await inbox.apply((await db.prisma.channelNotification.findFirstOrThrow({ where: { reservationId: 'BK-200' } })).id, new Date(NOW));
    await db.prisma.advisor.createMany({ data: [{ id: 'ADV-NORTH-1', name: 'North advisor', branch: 'NORTH' }, { id: 'ADV-SOUTH-1', name: 'South advisor', branch: 'SOUTH' }] });
    // BK-100 (arriving first) is the south branch's; BK-200 the north's.
    await db.prisma.channelReservation.updateMany({ where: { hotelCode: hotel.hotelCode, reservationId: 'BK-100' }, data: { advisorId: 'ADV-SOUTH-1' } });
    await db.prisma.channelReservation.updateMany({ where: { hotelCode: hotel.hotelCode, reservationId: 'BK-200' }, data: { advisorId: 'ADV-NORTH-1' } });
    const advisor = (branch: string | null): Principal => ({ kind: 'user', id: `u-${branch}`, name: `${branch}@example.com`, role: 'ADVISOR', permissions: new Set(), branch, allBranches: false, advisorId: null });
    const ids = (res: request.Response) => ChannelReservationListResponse.parse(res.body).items.map((i) => i.reservationId);

    const everyone = await request(app).get('/channel-reservations').query({ hotel: hotel.hotelCode, limit: 1 }).expect(200);
    expect(ids(everyone)).toEqual(['BK-100']);
    const north = appAs(advisor('NORTH'));
    // The first arrival is the south's: a limit of one still finds the north's own.
    expect(ids(await request(north).get('/channel-reservations').query({ hotel: hotel.hotelCode, limit: 1 }).expect(200))).toEqual(['BK-200']);
    expect(ids(await request(north).get('/channel-reservations').query({ hotel: hotel.hotelCode }).expect(200))).toEqual(['BK-200']);
    await request(north).get(`/channel-reservations/${hotel.managerCode}/BK-200`).expect(200);
    // Another branch's reservation is not found, as if it did not exist (nothing told about it).
    const hidden = await request(north).get(`/channel-reservations/${hotel.managerCode}/BK-100`).expect(404);
    expect(hidden.body.detail).toBe(`No channel reservation BK-100 from ${hotel.managerCode}`);
    // An advisor with no branch set sees none.
    expect(ids(await request(appAs(advisor(null))).get('/channel-reservations').query({ hotel: hotel.hotelCode }).expect(200))).toEqual([]);
  });
});
