import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/booking/search-attributes';
import { temporalCliPath } from './tools';

export interface DevServerOptions {
  port: number;
  uiPort: number;
  /** SQLite file the dev server persists to; omit for an in-memory server. */
  dbFile?: string;
  namespace: string;
  /** How long to wait for the frontend to answer. */
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** True when something already listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free TCP port on loopback, as chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The dev server could not bind a port: something took it between our check and its start. */
export class PortClashError extends Error {
  override name = 'PortClashError';
}

/**
 * Starts a dev server on ports the kernel calls free. Another process (a parallel test's server
 * binding its own internal ports, say) can take such a port before the server binds it, so a clash
 * is retried on fresh ports, a few times.
 */
export async function startDevServerOnFreePorts(
  opts: Omit<DevServerOptions, 'port' | 'uiPort'>,
  attempts = 5,
): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServer({ ...opts, port: await freePort(), uiPort: await freePort() });
    } catch (err) {
      if (!(err instanceof PortClashError) || attempt >= attempts) throw err;
    }
  }
}

/**
 * Starts `temporal server start-dev` with Itinera's search attributes registered, and resolves once
 * its frontend answers. The child dies with us: it is stopped by `stop()`, and killed if this
 * process exits first.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const cli = temporalCliPath();
  if (await portInUse(opts.port)) {
    throw new Error(`Port ${opts.port} is already in use: stop what listens there, or set TEMPORAL_ADDRESS to use that server`);
  }
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--namespace', opts.namespace,
    '--log-level', 'warn',
    ...SEARCH_ATTRIBUTE_REGISTRATIONS.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.type}`]),
  ];
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  // Its own process group, so a terminal's Ctrl-C reaches only us: the worker drains first, and
  // only then is the server stopped (by `stop()`, or killed when this process exits).
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const address = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      const message = `temporal server start-dev exited with code ${child.exitCode}:\n${output}`;
      throw /address already in use/.test(output) ? new PortClashError(message) : new Error(message);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1 second' });
      try {
        await connection.withDeadline(Date.now() + 2_000, () =>
          connection.workflowService.describeNamespace({ namespace: opts.namespace }),
        );
        return { address, uiUrl: `http://127.0.0.1:${opts.uiPort}`, process: child, stop };
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Temporal dev server did not become ready on ${address}: ${String(err)}\n${output}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
