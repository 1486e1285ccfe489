import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { ChannelConfigError, PrismaChannelConfig } from '../channel-config.prisma';
import { hotelProduct } from './channel-rates.fixtures';

/** The refusal `fn` throws, for assertions on kind and problems. */
async function refusal(fn: () => Promise<unknown>): Promise<ChannelConfigError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ChannelConfigError) return err;
    throw err;
  }
  throw new Error('expected a ChannelConfigError');
}
const paths = (err: ChannelConfigError) => err.problems.map((p) => p.path).sort();

describe('PrismaChannelConfig (PGlite)', () => {
  let db: Database;
  let config: PrismaChannelConfig;

  beforeAll(async () => {
    db = await openTestPglite();
    config = new PrismaChannelConfig(db.prisma);
    await hotelProduct(db.prisma, 'ROMA');
    await hotelProduct(db.prisma, 'TOURX', 'TOUR');
  });
  afterAll(async () => db?.close());

  it('generates a whsec_ secret of 24 bytes, shows it only in the create result, and never reads back the WS-Security password', async () => {
    const created = await config.createManager({ code: 'SMX', name: 'SiteMinder', wsse: { username: 'itinera', password: 's3cret-pw' } });
    expect(created.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.webhookSecret.slice(6), 'base64')).toHaveLength(24);
    expect(created).toMatchObject({ code: 'SMX', hasWebhookSecret: true, wsse: { username: 'itinera' }, active: true });
    const stored = await db.prisma.channelManager.findUniqueOrThrow({ where: { code: 'SMX' } });
    expect(stored.webhookSecret).toBe(created.webhookSecret);
    expect(stored.wssePassword).toBe('s3cret-pw');
    for (const read of [await config.getManager('SMX'), ...(await config.listManagers())]) {
      const text = JSON.stringify(read);
      expect(text).not.toContain(created.webhookSecret.slice(6));
      expect(text).not.toContain('s3cret-pw');
      expect(read).not.toHaveProperty('webhookSecret');
    }
    const second = await config.createManager({ code: 'RGX', name: 'RateGain' });
    expect(second.webhookSecret).not.toBe(created.webhookSecret);
    const given = await config.createManager({ code: 'CBX', name: 'Cloudbeds', webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expect(given.webhookSecret).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  });

  it('names every bad manager field, and refuses a duplicate code with a conflict', async () => {
    const bad = await refusal(() => config.createManager({ code: 'bad code', name: '', webhookSecret: 'secret', wsse: { username: 'u' }, active: 'yes', colour: 'red' }));
    expect(bad.kind).toBe('invalid');
    expect(paths(bad)).toEqual(['active', 'code', 'colour', 'name', 'webhookSecret', 'wsse/password']);
    expect(paths(await refusal(() => config.createManager({ code: 'SHORT', name: 'x', webhookSecret: 'whsec_AAAA' })))).toEqual(['webhookSecret']);
    const dup = await refusal(() => config.createManager({ code: 'SMX', name: 'Again' }));
    expect(dup.kind).toBe('conflict');
    expect(await db.prisma.channelManager.count({ where: { code: { in: ['bad code', 'SHORT'] } } })).toBe(0);
  });

  it('maps a HOTEL product to a property by code or id, once, with its room types and rate plans', async () => {
    const property = await config.createProperty({ hotelCode: 'HROMA', productCode: 'ROMA' });
    expect(property).toMatchObject({
      hotelCode: 'HROMA',
      productCode: 'ROMA',
      supplierCode: 'S-ROMA',
      active: true,
      roomTypes: [
        { code: 'DBL', name: 'Double', maxOccupancy: 3 },
        { code: 'SGL', name: 'Single', maxOccupancy: 1 },
      ],
      ratePlans: [
        { roomType: 'DBL', ratePlan: 'BAR' },
        { roomType: 'DBL', ratePlan: 'NRF' },
        { roomType: 'SGL', ratePlan: 'BAR' },
      ],
      connections: [],
    });
    const again = await refusal(() => config.createProperty({ hotelCode: 'HROMA2', productId: property.productId }));
    expect(again.kind).toBe('conflict');
    expect(again.message).toContain('HROMA');
    expect((await refusal(() => config.createProperty({ hotelCode: 'HROMA', productCode: 'TOURX' }))).problems).toEqual([{ path: 'productCode', message: expect.stringContaining('TOUR product') }]);
    expect((await refusal(() => config.createProperty({ hotelCode: 'HNONE', productCode: 'NOPE' }))).problems).toEqual([{ path: 'productCode', message: 'no product NOPE' }]);
    expect(paths(await refusal(() => config.createProperty({ hotelCode: '', productId: 'x' })))).toEqual(['hotelCode', 'productId']);
    expect(paths(await refusal(() => config.createProperty({ hotelCode: 'H1' })))).toEqual(['productCode']);
    expect(await db.prisma.channelProperty.count()).toBe(1);
  });

  it('creates connections with defaults, validates each field, never returns the password, and patches', async () => {
    const conn = await config.createConnection({
      code: 'BOOKING-1',
      channelManagerCode: 'SMX',
      name: 'Booking.com',
      otaCode: 'BOOKING',
      endpoint: 'https://hub.example/channels/BOOKING/ota',
      auth: { kind: 'wsse', username: 'itn', password: 'pw-never-shown' },
    });
    expect(conn).toEqual({
      code: 'BOOKING-1',
      channelManagerCode: 'SMX',
      name: 'Booking.com',
      otaCode: 'BOOKING',
      endpoint: 'https://hub.example/channels/BOOKING/ota',
      auth: { kind: 'wsse', username: 'itn' },
      requestsPerSecond: 5,
      properties: ['*'],
      active: true,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify([await config.getConnection('BOOKING-1'), await config.listConnections()])).not.toContain('pw-never-shown');

    const bad = await refusal(() =>
      config.createConnection({
        code: 'X Y',
        channelManagerCode: 'SMX',
        name: 'n',
        otaCode: 'booking',
        endpoint: 'ftp://hub.example/',
        auth: { kind: 'wsse', username: 'u' },
        requestsPerSecond: 0,
        properties: ['*', 'HROMA'],
      }),
    );
    expect(paths(bad)).toEqual(['auth/password', 'code', 'endpoint', 'otaCode', 'properties', 'requestsPerSecond']);
    expect(paths(await refusal(() => config.createConnection({ code: 'E1', channelManagerCode: 'SMX', name: 'n', otaCode: 'EXP', endpoint: 'not a url', requestsPerSecond: 101, auth: { kind: 'oauth' } })))).toEqual([
      'auth/kind',
      'endpoint',
      'requestsPerSecond',
    ]);
    const unknown = await refusal(() => config.createConnection({ code: 'E2', channelManagerCode: 'NOPE', name: 'n', otaCode: 'EXP', endpoint: 'http://h/', properties: ['HROMA', 'HNONE'] }));
    expect(unknown.problems).toEqual([
      { path: 'channelManagerCode', message: 'no channel manager NOPE' },
      { path: 'properties/1', message: expect.stringContaining('no channel property HNONE') },
    ]);
    expect((await refusal(() => config.createConnection({ code: 'BOOKING-1', channelManagerCode: 'SMX', name: 'n', otaCode: 'B', endpoint: 'http://h/' }))).kind).toBe('conflict');

    const exp = await config.createConnection({ code: 'EXPEDIA-1', channelManagerCode: 'SMX', name: 'Expedia', otaCode: 'EXPEDIA', endpoint: 'http://hub.example/e', properties: ['HROMA'], requestsPerSecond: 20 });
    expect(exp).toMatchObject({ auth: { kind: 'none' }, properties: ['HROMA'], requestsPerSecond: 20 });
    expect(await config.connectionsCarrying('HROMA')).toEqual(['BOOKING-1', 'EXPEDIA-1']);
    expect(await config.connectionsCarrying('HOTHER')).toEqual(['BOOKING-1']);

    const patched = await config.updateConnection('BOOKING-1', { active: false, auth: { kind: 'none' }, requestsPerSecond: 2 });
    expect(patched).toMatchObject({ active: false, auth: { kind: 'none' }, requestsPerSecond: 2 });
    expect((await db.prisma.channelConnection.findUniqueOrThrow({ where: { code: 'BOOKING-1' } })).password).toBeNull();
    expect(await config.connectionsCarrying('HROMA')).toEqual(['EXPEDIA-1']);
    expect(paths(await refusal(() => config.updateConnection('BOOKING-1', { code: 'NEW', properties: [] })))).toEqual(['code', 'properties']);
    expect(paths(await refusal(() => config.updateConnection('BOOKING-1', {})))).toEqual(['']);
    expect((await refusal(() => config.updateConnection('NOPE', { active: true }))).kind).toBe('not-found');
    expect((await config.getProperty('HROMA'))?.connections).toEqual(['EXPEDIA-1']);
  });
});
