import { OpenTravelXmlChannelManager } from '../adapters/opentravel-xml/adapter';
import type { Database } from '../infra/database';
import { ChannelDirectory, type ConnectionRow } from './channel-directory.prisma';
import type { ChannelConnectionConfig, ChannelManagerPort } from './ports/channel-manager';

/** A connection that cannot be used: unknown, inactive, or configured wrongly. Not retryable until fixed. */
export class ChannelConnectionError extends Error {
  constructor(
    readonly connection: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChannelConnectionError';
  }
}

export interface ChannelPortFactoryOptions {
  /** Per request, passed to the adapter; default its own (5000 ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** How long a built port is reused before channel_connections is read again; default 30 s. */
  cacheTtlMs?: number;
  /** Clock for the cache (tests). */
  now?: () => number;
}

/** The adapter configuration of a connection row; throws ChannelConnectionError naming what is wrong. */
export function connectionConfig(row: ConnectionRow, timeoutMs?: number): ChannelConnectionConfig {
  if (!row.active) throw new ChannelConnectionError(row.code, `Channel connection ${row.code} is inactive`);
  let auth: ChannelConnectionConfig['auth'];
  if (row.authKind === 'none') auth = { kind: 'none' };
  else if (row.authKind === 'wsse') {
    if (!row.username || !row.password) throw new ChannelConnectionError(row.code, `Channel connection ${row.code} uses WS-Security but has no username/password`);
    auth = { kind: 'wsse', username: row.username, password: row.password };
  } else throw new ChannelConnectionError(row.code, `Channel connection ${row.code} has an unknown auth_kind "${row.authKind}" (expected none or wsse)`);
  return { code: row.code, endpoint: row.endpoint, auth, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

/**
 * Builds the ChannelManagerPort of a connection from channel_connections (endpoint, auth
 * none/wsse) as an OpenTravelXmlChannelManager, cached per code for a short TTL so a changed
 * endpoint or password is picked up within `cacheTtlMs`. An unknown or inactive connection is a
 * ChannelConnectionError.
 */
export function channelPortFactory(db: Pick<Database, 'query'>, options: ChannelPortFactoryOptions = {}): (connectionCode: string) => Promise<ChannelManagerPort> {
  const directory = new ChannelDirectory(db);
  const ttl = options.cacheTtlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { port: ChannelManagerPort; until: number }>();
  return async (connectionCode) => {
    const hit = cache.get(connectionCode);
    if (hit && hit.until > now()) return hit.port;
    const row = await directory.connection(connectionCode);
    if (!row) {
      cache.delete(connectionCode);
      throw new ChannelConnectionError(connectionCode, `Unknown channel connection ${connectionCode}`);
    }
    let config: ChannelConnectionConfig;
    try {
      config = connectionConfig(row, options.timeoutMs);
    } catch (err) {
      cache.delete(connectionCode);
      throw err;
    }
    let port: ChannelManagerPort;
    try {
      port = new OpenTravelXmlChannelManager(config, options.fetch ? { fetch: options.fetch } : undefined);
    } catch (err) {
      throw new ChannelConnectionError(connectionCode, err instanceof Error ? err.message : String(err));
    }
    cache.set(connectionCode, { port, until: now() + ttl });
    return port;
  };
}
