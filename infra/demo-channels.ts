import { randomBytes } from 'node:crypto';
import type { Database } from './database';
import type { Logger } from './logger';

/** The channel manager code the sandbox hub signs its webhooks as (embedded default). */
export const SANDBOX_MANAGER_CODE = 'SANDBOX';
/** The OTA channels the embedded demo connects through the sandbox hub. */
export const SANDBOX_DEMO_CHANNELS = ['BOOKING', 'EXPEDIA', 'AIRBNB'];
/** Demo hotels distributed on the channels (the first ones of the demo catalog). */
const DEMO_PROPERTIES = 6;

/**
 * The sandbox channel manager's account, created once with a fresh webhook secret; returns the
 * secret, which the sandbox hub is started with so its booking webhooks verify.
 */
export async function ensureSandboxChannelManager(db: Pick<Database, 'prisma'>): Promise<string> {
  const existing = await db.prisma.channelManager.findUnique({ where: { code: SANDBOX_MANAGER_CODE } });
  if (existing?.webhookSecret) return existing.webhookSecret;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  await db.prisma.channelManager.upsert({
    where: { code: SANDBOX_MANAGER_CODE },
    create: { code: SANDBOX_MANAGER_CODE, name: 'Sandbox channel manager (local stand-in, not a real channel manager)', webhookSecret: secret },
    update: { webhookSecret: secret },
  });
  return secret;
}

/**
 * Points the demo's channel connections at the sandbox hub (its URL may change between runs) and,
 * on first run, distributes the first demo hotels on them under their product codes.
 */
export async function connectSandboxChannels(db: Pick<Database, 'prisma'>, hubUrl: string, logger: Logger): Promise<{ connections: string[]; properties: string[] }> {
  const connections: string[] = [];
  for (const ota of SANDBOX_DEMO_CHANNELS) {
    const code = `SANDBOX-${ota}`;
    const endpoint = `${hubUrl}/channels/${ota}/ota`;
    await db.prisma.channelConnection.upsert({
      where: { code },
      create: { code, channelManagerCode: SANDBOX_MANAGER_CODE, name: `${ota} through the sandbox hub`, otaCode: ota, endpoint, properties: ['*'] },
      update: { endpoint },
    });
    connections.push(code);
  }
  if ((await db.prisma.channelProperty.count()) === 0) {
    const hotels = await db.prisma.product.findMany({ where: { type: 'HOTEL', active: true, supplier: { code: { startsWith: 'DEMO-' } } }, orderBy: { code: 'asc' }, take: DEMO_PROPERTIES });
    for (const h of hotels) await db.prisma.channelProperty.create({ data: { hotelCode: h.code, productId: h.id } });
  }
  const properties = (await db.prisma.channelProperty.findMany({ orderBy: { hotelCode: 'asc' } })).map((p) => p.hotelCode);
  logger.info({ hub: hubUrl, connections, properties }, 'sandbox channels connected (embedded default)');
  return { connections, properties };
}
