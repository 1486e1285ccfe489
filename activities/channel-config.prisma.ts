import { randomBytes } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { ChannelDirectory } from './channel-directory.prisma';

/**
 * Channel-manager configuration (issue 6): the channel managers that send Itinera booking
 * webhooks, the OTA channel connections Itinera pushes to, and the hotel properties distributed.
 *
 * Every write is validated here (the API schemas only shape the JSON): a bad input throws
 * ChannelConfigError 'invalid' naming every offending field, a duplicate code 'conflict', an unknown
 * resource named in a URL 'not-found'. Secrets and passwords are written, never read back: the
 * webhook secret appears once, in the create result.
 */

export type ChannelConfigErrorKind = 'invalid' | 'conflict' | 'not-found';

export interface ConfigProblem {
  /** Field path, slash separated ("auth/password", "properties/2"); "" for the whole record. */
  path: string;
  message: string;
}

export class ChannelConfigError extends Error {
  constructor(
    readonly kind: ChannelConfigErrorKind,
    message: string,
    readonly problems: ConfigProblem[] = [],
  ) {
    super(message);
    this.name = 'ChannelConfigError';
  }
}

function invalid(what: string, problems: ConfigProblem[]): ChannelConfigError {
  return new ChannelConfigError('invalid', `Invalid ${what}: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`, problems);
}

// ---------------------------------------------------------------------------------------------
// Field checks (each pushes problems; input comes from JSON, so types are checked too)

export const CHANNEL_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const OTA_CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]*$/;
const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

type Problems = ConfigProblem[];

function checkCode(problems: Problems, path: string, value: unknown, max: number): value is string {
  if (typeof value !== 'string') return problems.push({ path, message: value === undefined ? 'is required' : 'must be a string' }), false;
  if (value.length === 0) return problems.push({ path, message: 'must not be empty' }), false;
  if (value.length > max) return problems.push({ path, message: `must be at most ${max} characters` }), false;
  if (!CHANNEL_CODE_PATTERN.test(value)) return problems.push({ path, message: 'may contain only letters, digits and . _ - (starting with a letter or digit)' }), false;
  return true;
}

function checkText(problems: Problems, path: string, value: unknown, max: number): value is string {
  if (typeof value !== 'string') return problems.push({ path, message: value === undefined ? 'is required' : 'must be a string' }), false;
  if (value.trim().length === 0) return problems.push({ path, message: 'must not be empty' }), false;
  if (value.length > max) return problems.push({ path, message: `must be at most ${max} characters` }), false;
  return true;
}

function checkBool(problems: Problems, path: string, value: unknown): value is boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return true;
  problems.push({ path, message: 'must be true or false' });
  return false;
}

function checkEndpoint(problems: Problems, path: string, value: unknown): value is string {
  if (!checkText(problems, path, value, 500)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push({ path, message: `"${value}" is not an absolute URL` });
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push({ path, message: `must be an http or https URL (got ${url.protocol.replace(/:$/, '')})` });
    return false;
  }
  if (url.username || url.password) {
    problems.push({ path, message: 'must not carry credentials: use auth' });
    return false;
  }
  return true;
}

function checkKeys(problems: Problems, root: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push({ path: root + key, message: 'is not a known field' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Channel managers

export interface ChannelManagerInput {
  code: string;
  name: string;
  /** "whsec_" + base64 of at least 16 bytes; generated (24 random bytes) when absent. */
  webhookSecret?: string;
  /** WS-Security UsernameToken credentials its notifications may carry instead of a signature. */
  wsse?: { username: string; password: string } | null;
  active?: boolean;
}

export interface ChannelManagerView {
  code: string;
  name: string;
  /** True when a webhook secret is stored (the secret itself is never read back). */
  hasWebhookSecret: boolean;
  wsse: { username: string } | null;
  active: boolean;
  connections: string[];
  createdAt: string;
}

/** The create result: the only time the webhook secret is shown. */
export interface CreatedChannelManager extends ChannelManagerView {
  webhookSecret: string;
}

/** A Standard Webhooks secret: "whsec_" + base64 of 24 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function checkWsse(problems: Problems, root: string, value: unknown): value is { username: string; password: string } {
  if (!isRecord(value)) return problems.push({ path: root.replace(/\/$/, ''), message: 'must be an object with username and password' }), false;
  checkKeys(problems, root, value, ['username', 'password']);
  const u = checkText(problems, `${root}username`, value.username, 120);
  const p = checkText(problems, `${root}password`, value.password, 256);
  return u && p;
}

export function checkChannelManagerInput(input: unknown): ChannelManagerInput {
  const problems: Problems = [];
  if (!isRecord(input)) throw invalid('channel manager', [{ path: '', message: 'must be a JSON object' }]);
  checkKeys(problems, '', input, ['code', 'name', 'webhookSecret', 'wsse', 'active']);
  checkCode(problems, 'code', input.code, 48);
  checkText(problems, 'name', input.name, 120);
  if (input.webhookSecret !== undefined) {
    if (typeof input.webhookSecret !== 'string' || !WEBHOOK_SECRET_PATTERN.test(input.webhookSecret)) {
      problems.push({ path: 'webhookSecret', message: 'must be "whsec_" followed by base64' });
    } else if (Buffer.from(input.webhookSecret.slice(6), 'base64').length < 16) {
      problems.push({ path: 'webhookSecret', message: 'must encode at least 16 bytes (24 recommended)' });
    }
  }
  if (input.wsse !== undefined && input.wsse !== null) checkWsse(problems, 'wsse/', input.wsse);
  checkBool(problems, 'active', input.active);
  if (problems.length) throw invalid('channel manager', problems);
  return input as unknown as ChannelManagerInput;
}

// ---------------------------------------------------------------------------------------------
// Connections

export type ConnectionAuthInput = { kind: 'none' } | { kind: 'wsse'; username: string; password: string };

export interface ChannelConnectionInput {
  code: string;
  channelManagerCode: string;
  name: string;
  /** The OTA behind it ("BOOKING", "EXPEDIA"): upper-case letters, digits, _ and -. */
  otaCode: string;
  endpoint: string;
  /** Default { kind: 'none' }. */
  auth?: ConnectionAuthInput;
  /** 1..100, default 5: the channel manager's limit per property. */
  requestsPerSecond?: number;
  /** Hotel codes carried, or ["*"] (default) for every property. */
  properties?: string[];
  active?: boolean;
}

export type ChannelConnectionPatch = Partial<Pick<ChannelConnectionInput, 'name' | 'endpoint' | 'auth' | 'requestsPerSecond' | 'properties' | 'active' | 'otaCode'>>;

export interface ChannelConnectionView {
  code: string;
  channelManagerCode: string;
  name: string;
  otaCode: string;
  endpoint: string;
  /** Never the password. */
  auth: { kind: 'none' } | { kind: 'wsse'; username: string };
  requestsPerSecond: number;
  properties: string[];
  active: boolean;
  createdAt: string;
}

function checkAuth(problems: Problems, value: unknown): void {
  if (!isRecord(value)) return void problems.push({ path: 'auth', message: 'must be {"kind":"none"} or {"kind":"wsse","username":...,"password":...}' });
  if (value.kind === 'none') return checkKeys(problems, 'auth/', value, ['kind']);
  if (value.kind === 'wsse') {
    checkKeys(problems, 'auth/', value, ['kind', 'username', 'password']);
    checkText(problems, 'auth/username', value.username, 120);
    checkText(problems, 'auth/password', value.password, 256);
    return;
  }
  problems.push({ path: 'auth/kind', message: value.kind === undefined ? 'is required' : 'must be none or wsse' });
}

function checkRps(problems: Problems, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) return void problems.push({ path: 'requestsPerSecond', message: 'must be a whole number' });
  if (value < 1 || value > 100) problems.push({ path: 'requestsPerSecond', message: `must be between 1 and 100 (got ${value})` });
}

function checkProperties(problems: Problems, value: unknown): value is string[] | undefined {
  if (value === undefined) return true;
  if (!Array.isArray(value)) return problems.push({ path: 'properties', message: 'must be a list of hotel codes, or ["*"] for every property' }), false;
  if (value.length === 0) return problems.push({ path: 'properties', message: 'must list at least one hotel code (or "*")' }), false;
  if (value.length > 1000) return problems.push({ path: 'properties', message: 'must list at most 1000 hotel codes' }), false;
  const before = problems.length;
  if (value.includes('*') && value.length > 1) problems.push({ path: 'properties', message: '"*" (every property) cannot be combined with hotel codes' });
  const seen = new Set<string>();
  value.forEach((code, i) => {
    if (code === '*') return;
    if (checkCode(problems, `properties/${i}`, code, 48)) {
      if (seen.has(code)) problems.push({ path: `properties/${i}`, message: `${code} is listed twice` });
      seen.add(code);
    }
  });
  return problems.length === before;
}

function checkOta(problems: Problems, value: unknown): void {
  if (!checkText(problems, 'otaCode', value, 32)) return;
  if (!OTA_CODE_PATTERN.test(value)) problems.push({ path: 'otaCode', message: 'must be upper-case letters, digits, _ or - (e.g. "BOOKING")' });
}

const PATCH_KEYS = ['name', 'endpoint', 'auth', 'requestsPerSecond', 'properties', 'active', 'otaCode'] as const;

export function checkConnectionInput(input: unknown): ChannelConnectionInput {
  const problems: Problems = [];
  if (!isRecord(input)) throw invalid('channel connection', [{ path: '', message: 'must be a JSON object' }]);
  checkKeys(problems, '', input, ['code', 'channelManagerCode', ...PATCH_KEYS]);
  checkCode(problems, 'code', input.code, 48);
  checkCode(problems, 'channelManagerCode', input.channelManagerCode, 48);
  checkText(problems, 'name', input.name, 120);
  checkOta(problems, input.otaCode);
  checkEndpoint(problems, 'endpoint', input.endpoint);
  if (input.auth !== undefined) checkAuth(problems, input.auth);
  checkRps(problems, input.requestsPerSecond);
  checkProperties(problems, input.properties);
  checkBool(problems, 'active', input.active);
  if (problems.length) throw invalid('channel connection', problems);
  return input as unknown as ChannelConnectionInput;
}

export function checkConnectionPatch(input: unknown): ChannelConnectionPatch {
  const problems: Problems = [];
  if (!isRecord(input)) throw invalid('channel connection change', [{ path: '', message: 'must be a JSON object' }]);
  checkKeys(problems, '', input, PATCH_KEYS);
  if (Object.keys(input).length === 0) problems.push({ path: '', message: `must change at least one of ${PATCH_KEYS.join(', ')}` });
  if (input.name !== undefined) checkText(problems, 'name', input.name, 120);
  if (input.otaCode !== undefined) checkOta(problems, input.otaCode);
  if (input.endpoint !== undefined) checkEndpoint(problems, 'endpoint', input.endpoint);
  if (input.auth !== undefined) checkAuth(problems, input.auth);
  checkRps(problems, input.requestsPerSecond);
  checkProperties(problems, input.properties);
  checkBool(problems, 'active', input.active);
  if (problems.length) throw invalid('channel connection change', problems);
  return input as ChannelConnectionPatch;
}

// ---------------------------------------------------------------------------------------------
// Properties

export interface ChannelPropertyInput {
  hotelCode: string;
  /** The HOTEL product, by code (must name one product) or by id. */
  productCode?: string;
  productId?: string;
  active?: boolean;
}

export interface ChannelPropertyView {
  hotelCode: string;
  productId: string;
  productCode: string;
  productName: string;
  supplierCode: string;
  active: boolean;
  /** The product's categories: room types on the wire. */
  roomTypes: { code: string; name: string; maxOccupancy: number }[];
  /** Rate plan codes per room type (from the product's rates). */
  ratePlans: { roomType: string; ratePlan: string }[];
  /** Active connections carrying the property. */
  connections: string[];
  createdAt: string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkPropertyInput(input: unknown): ChannelPropertyInput {
  const problems: Problems = [];
  if (!isRecord(input)) throw invalid('channel property', [{ path: '', message: 'must be a JSON object' }]);
  checkKeys(problems, '', input, ['hotelCode', 'productCode', 'productId', 'active']);
  checkCode(problems, 'hotelCode', input.hotelCode, 48);
  if (input.productCode === undefined && input.productId === undefined) problems.push({ path: 'productCode', message: 'is required (or productId)' });
  if (input.productCode !== undefined && input.productId !== undefined) problems.push({ path: 'productId', message: 'give productCode or productId, not both' });
  if (input.productCode !== undefined) checkCode(problems, 'productCode', input.productCode, 48);
  if (input.productId !== undefined && (typeof input.productId !== 'string' || !UUID_PATTERN.test(input.productId))) problems.push({ path: 'productId', message: 'must be a product id (a UUID)' });
  checkBool(problems, 'active', input.active);
  if (problems.length) throw invalid('channel property', problems);
  return input as unknown as ChannelPropertyInput;
}

// ---------------------------------------------------------------------------------------------

type ConnectionRow = Prisma.ChannelConnectionGetPayload<object>;

function connectionView(row: ConnectionRow): ChannelConnectionView {
  return {
    code: row.code,
    channelManagerCode: row.channelManagerCode,
    name: row.name,
    otaCode: row.otaCode,
    endpoint: row.endpoint,
    auth: row.authKind === 'wsse' ? { kind: 'wsse', username: row.username ?? '' } : { kind: 'none' },
    requestsPerSecond: row.requestsPerSecond,
    properties: row.properties,
    active: row.active,
    createdAt: row.createdAt.toISOString(),
  };
}

/** True when the connection's `properties` list carries `hotelCode`. */
export const carries = (properties: readonly string[], hotelCode: string): boolean => properties.includes('*') || properties.includes(hotelCode);

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

export class PrismaChannelConfig {
  constructor(private readonly prisma: PrismaClient) {}

  // ------------------------------------------------------------------ managers

  /** Creates a channel manager; the result carries the webhook secret (generated when not given), shown this once. */
  async createManager(raw: unknown): Promise<CreatedChannelManager> {
    const input = checkChannelManagerInput(raw);
    const webhookSecret = input.webhookSecret ?? generateWebhookSecret();
    try {
      const row = await this.prisma.channelManager.create({
        data: {
          code: input.code,
          name: input.name.trim(),
          webhookSecret,
          wsseUsername: input.wsse?.username ?? null,
          wssePassword: input.wsse?.password ?? null,
          active: input.active ?? true,
        },
      });
      return { ...this.managerView(row, []), webhookSecret };
    } catch (err) {
      if (isUniqueViolation(err)) throw new ChannelConfigError('conflict', `Channel manager ${input.code} already exists`, [{ path: 'code', message: `${input.code} is taken` }]);
      throw err;
    }
  }

  async listManagers(): Promise<ChannelManagerView[]> {
    const rows = await this.prisma.channelManager.findMany({ orderBy: { code: 'asc' }, include: { connections: { select: { code: true }, orderBy: { code: 'asc' } } } });
    return rows.map((r) => this.managerView(r, r.connections.map((c) => c.code)));
  }

  async getManager(code: string): Promise<ChannelManagerView | null> {
    const row = await this.prisma.channelManager.findUnique({ where: { code }, include: { connections: { select: { code: true }, orderBy: { code: 'asc' } } } });
    return row ? this.managerView(row, row.connections.map((c) => c.code)) : null;
  }

  private managerView(row: { code: string; name: string; webhookSecret: string | null; wsseUsername: string | null; active: boolean; createdAt: Date }, connections: string[]): ChannelManagerView {
    return {
      code: row.code,
      name: row.name,
      hasWebhookSecret: row.webhookSecret !== null,
      wsse: row.wsseUsername ? { username: row.wsseUsername } : null,
      active: row.active,
      connections,
      createdAt: row.createdAt.toISOString(),
    };
  }

  // ------------------------------------------------------------------ connections

  async createConnection(raw: unknown): Promise<ChannelConnectionView> {
    const input = checkConnectionInput(raw);
    return this.prisma.$transaction(async (tx) => {
      const problems: Problems = [];
      const manager = await tx.channelManager.findUnique({ where: { code: input.channelManagerCode } });
      if (!manager) problems.push({ path: 'channelManagerCode', message: `no channel manager ${input.channelManagerCode}` });
      await this.checkHotelCodes(tx, problems, input.properties);
      if (problems.length) throw invalid('channel connection', problems);
      if (await tx.channelConnection.findUnique({ where: { code: input.code } })) {
        throw new ChannelConfigError('conflict', `Channel connection ${input.code} already exists`, [{ path: 'code', message: `${input.code} is taken` }]);
      }
      const auth = input.auth ?? { kind: 'none' };
      try {
        const row = await tx.channelConnection.create({
          data: {
            code: input.code,
            channelManagerCode: input.channelManagerCode,
            name: input.name.trim(),
            otaCode: input.otaCode,
            endpoint: input.endpoint,
            authKind: auth.kind,
            username: auth.kind === 'wsse' ? auth.username : null,
            password: auth.kind === 'wsse' ? auth.password : null,
            requestsPerSecond: input.requestsPerSecond ?? 5,
            properties: input.properties ?? ['*'],
            active: input.active ?? true,
          },
        });
        return connectionView(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new ChannelConfigError('conflict', `Channel connection ${input.code} already exists`, [{ path: 'code', message: `${input.code} is taken` }]);
        throw err;
      }
    });
  }

  async updateConnection(code: string, raw: unknown): Promise<ChannelConnectionView> {
    const patch = checkConnectionPatch(raw);
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.channelConnection.findUnique({ where: { code } });
      if (!existing) throw new ChannelConfigError('not-found', `No channel connection ${code}`);
      const problems: Problems = [];
      await this.checkHotelCodes(tx, problems, patch.properties);
      if (problems.length) throw invalid('channel connection change', problems);
      const data: Prisma.ChannelConnectionUpdateInput = {};
      if (patch.name !== undefined) data.name = patch.name.trim();
      if (patch.otaCode !== undefined) data.otaCode = patch.otaCode;
      if (patch.endpoint !== undefined) data.endpoint = patch.endpoint;
      if (patch.auth !== undefined) {
        data.authKind = patch.auth.kind;
        data.username = patch.auth.kind === 'wsse' ? patch.auth.username : null;
        data.password = patch.auth.kind === 'wsse' ? patch.auth.password : null;
      }
      if (patch.requestsPerSecond !== undefined) data.requestsPerSecond = patch.requestsPerSecond;
      if (patch.properties !== undefined) data.properties = patch.properties;
      if (patch.active !== undefined) data.active = patch.active;
      return connectionView(await tx.channelConnection.update({ where: { code }, data }));
    });
  }

  async listConnections(filter: { channelManagerCode?: string; hotelCode?: string } = {}): Promise<ChannelConnectionView[]> {
    const rows = await this.prisma.channelConnection.findMany({
      where: filter.channelManagerCode ? { channelManagerCode: filter.channelManagerCode } : {},
      orderBy: { code: 'asc' },
    });
    return rows.filter((r) => !filter.hotelCode || carries(r.properties, filter.hotelCode)).map(connectionView);
  }

  async getConnection(code: string): Promise<ChannelConnectionView | null> {
    const row = await this.prisma.channelConnection.findUnique({ where: { code } });
    return row ? connectionView(row) : null;
  }

  /** Codes of the active connections (of active managers) carrying `hotelCode`, sorted. */
  async connectionsCarrying(hotelCode: string): Promise<string[]> {
    return connectionsCarrying(this.prisma, hotelCode);
  }

  private async checkHotelCodes(tx: Prisma.TransactionClient, problems: Problems, codes: string[] | undefined): Promise<void> {
    const listed = (codes ?? []).filter((c) => c !== '*');
    if (listed.length === 0) return;
    const found = new Set((await tx.channelProperty.findMany({ where: { hotelCode: { in: listed } }, select: { hotelCode: true } })).map((p) => p.hotelCode));
    (codes ?? []).forEach((c, i) => {
      if (c !== '*' && !found.has(c)) problems.push({ path: `properties/${i}`, message: `no channel property ${c}: create it first (POST /channel-properties)` });
    });
  }

  // ------------------------------------------------------------------ properties

  async createProperty(raw: unknown): Promise<ChannelPropertyView> {
    const input = checkPropertyInput(raw);
    await this.prisma.$transaction(async (tx) => {
      const products = await tx.product.findMany({
        where: input.productId ? { id: input.productId } : { code: input.productCode },
        select: { id: true, type: true, supplier: { select: { code: true } } },
      });
      const field = input.productId ? 'productId' : 'productCode';
      const named = input.productId ?? input.productCode;
      if (products.length === 0) throw invalid('channel property', [{ path: field, message: `no product ${named}` }]);
      if (products.length > 1) {
        throw invalid('channel property', [{ path: field, message: `${named} names ${products.length} products (suppliers ${products.map((p) => p.supplier.code).join(', ')}): give productId` }]);
      }
      const product = products[0]!;
      if (product.type !== 'HOTEL') throw invalid('channel property', [{ path: field, message: `${named} is a ${product.type} product; only HOTEL products are distributed through channels` }]);
      if (await tx.channelProperty.findUnique({ where: { hotelCode: input.hotelCode } })) {
        throw new ChannelConfigError('conflict', `Channel property ${input.hotelCode} already exists`, [{ path: 'hotelCode', message: `${input.hotelCode} is taken` }]);
      }
      const other = await tx.channelProperty.findUnique({ where: { productId: product.id } });
      if (other) throw new ChannelConfigError('conflict', `Product ${named} is already distributed as ${other.hotelCode}`, [{ path: field, message: `is already channel property ${other.hotelCode}` }]);
      try {
        await tx.channelProperty.create({ data: { hotelCode: input.hotelCode, productId: product.id, active: input.active ?? true } });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ChannelConfigError('conflict', `Channel property ${input.hotelCode} or its product is already configured`, [{ path: 'hotelCode', message: 'conflicts with an existing property' }]);
        throw err;
      }
    });
    return (await this.getProperty(input.hotelCode))!;
  }

  async listProperties(): Promise<ChannelPropertyView[]> {
    const rows = await this.prisma.channelProperty.findMany({ orderBy: { hotelCode: 'asc' } });
    return Promise.all(rows.map((r) => this.propertyView(r)));
  }

  async getProperty(hotelCode: string): Promise<ChannelPropertyView | null> {
    const row = await this.prisma.channelProperty.findUnique({ where: { hotelCode } });
    return row ? this.propertyView(row) : null;
  }

  private async propertyView(row: { hotelCode: string; productId: string; active: boolean; createdAt: Date }): Promise<ChannelPropertyView> {
    const [product, plans, connections] = await Promise.all([
      this.prisma.product.findUniqueOrThrow({
        where: { id: row.productId },
        select: { code: true, name: true, supplier: { select: { code: true } }, categories: { select: { code: true, name: true, maxOccupancy: true }, orderBy: { code: 'asc' } } },
      }),
      this.prisma.productRate.findMany({ where: { productId: row.productId }, distinct: ['category', 'ratePlan'], select: { category: true, ratePlan: true }, orderBy: [{ category: 'asc' }, { ratePlan: 'asc' }] }),
      this.connectionsCarrying(row.hotelCode),
    ]);
    return {
      hotelCode: row.hotelCode,
      productId: row.productId,
      productCode: product.code,
      productName: product.name,
      supplierCode: product.supplier.code,
      active: row.active,
      roomTypes: product.categories,
      ratePlans: plans.map((p) => ({ roomType: p.category, ratePlan: p.ratePlan })),
      connections,
      createdAt: row.createdAt.toISOString(),
    };
  }
}

/**
 * Codes of the connections carrying `hotelCode` (explicitly or through "*"), sorted: active, of an
 * active channel manager: the inventory-sync lanes' own rule (ChannelDirectory.connectionsFor).
 */
export async function connectionsCarrying(prisma: Pick<PrismaClient, '$queryRawUnsafe'>, hotelCode: string): Promise<string[]> {
  // The one rule (ChannelDirectory.connectionsFor, which the sync lanes use), over this Prisma client.
  const directory = new ChannelDirectory({ query: <T>(sql: string, params: unknown[]) => prisma.$queryRawUnsafe<T[]>(sql, ...params) });
  return (await directory.connectionsFor(hotelCode)).map((c) => c.code);
}
