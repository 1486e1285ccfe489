import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowUpdateRPCTimeoutOrCancelledError, type ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { AppConfig } from './config';

/** Where Temporal is and how to authenticate: the dev server, a self-hosted cluster, or Temporal Cloud. */
export interface TemporalTarget {
  address: string;
  namespace: string;
  tls?: { serverName?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } } | true;
  apiKey?: string;
}

export function temporalTarget(config: AppConfig, devAddress?: string): TemporalTarget {
  const address = config.TEMPORAL_ADDRESS ?? devAddress ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
  const target: TemporalTarget = { address, namespace: config.TEMPORAL_NAMESPACE };
  if (config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH) {
    target.tls = {
      serverName: config.TEMPORAL_TLS_SERVER_NAME,
      serverRootCACertificate: config.TEMPORAL_TLS_CA_PATH ? readFileSync(config.TEMPORAL_TLS_CA_PATH) : undefined,
      clientCertPair: { crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: readFileSync(config.TEMPORAL_TLS_KEY_PATH) },
    };
  } else if (config.TEMPORAL_API_KEY) {
    // Temporal Cloud API keys always travel over TLS.
    target.tls = true;
    target.apiKey = config.TEMPORAL_API_KEY;
  }
  return target;
}

export function clientConnectionOptions(t: TemporalTarget): ConnectionOptions {
  return { address: t.address, tls: t.tls, apiKey: t.apiKey, connectTimeout: '3 seconds' };
}

export function workerConnectionOptions(t: TemporalTarget): NativeConnectionOptions {
  return { address: t.address, tls: t.tls, apiKey: t.apiKey };
}

/** Temporal could not be reached. The API turns this into a 503. */
export class TemporalUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Temporal is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'TemporalUnavailableError';
  }
}

/**
 * Hands out a Temporal client, connecting on first use and again after a failed attempt, so an API
 * started while Temporal is down stays up and recovers once Temporal is back.
 */
export class TemporalClientProvider {
  private pending: Promise<Client> | null = null;

  constructor(
    private readonly target: TemporalTarget,
    private readonly existing?: Client,
  ) {}

  static fromClient(client: Client): TemporalClientProvider {
    return new TemporalClientProvider({ address: '(provided)', namespace: client.options.namespace }, client);
  }

  get namespace(): string {
    return this.target.namespace;
  }

  async get(): Promise<Client> {
    if (this.existing) return this.existing;
    if (!this.pending) {
      this.pending = Connection.connect(clientConnectionOptions(this.target)).then(
        (connection) => new Client({ connection, namespace: this.target.namespace }),
      );
      this.pending.catch(() => {
        this.pending = null; // try again on the next request
      });
    }
    try {
      return await this.pending;
    } catch (err) {
      throw new TemporalUnavailableError(err);
    }
  }

  /** Resolves when the frontend answers; rejects with TemporalUnavailableError. */
  async ping(): Promise<void> {
    const client = await this.get();
    try {
      await client.connection.withDeadline(Date.now() + 3_000, () => client.workflowService.getSystemInfo({}));
    } catch (err) {
      throw new TemporalUnavailableError(err);
    }
  }

  async close(): Promise<void> {
    if (this.existing || !this.pending) return;
    const client = await this.pending.catch(() => null);
    this.pending = null;
    await client?.connection.close();
  }
}

/** gRPC status codes that mean "Temporal is not there right now". */
const UNAVAILABLE_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

export function isTemporalUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    if (e instanceof TemporalUnavailableError || e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    const rec = e as { code?: unknown; cause?: unknown; name?: unknown };
    if (typeof rec.code === 'number' && UNAVAILABLE_CODES.has(rec.code)) return true;
    e = rec.cause;
  }
  return false;
}
