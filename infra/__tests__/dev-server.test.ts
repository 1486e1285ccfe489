import net from 'node:net';
import { PortClashError, freePort, startDevServer, startDevServerOnFreePorts } from '../dev-server';

/** Holds a loopback port the way another process would, until released. */
async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('Temporal dev server on random ports', () => {
  jest.setTimeout(90_000);

  it('reports a port taken after it was chosen as a clash, naming the bind failure', async () => {
    const taken = await holdPort();
    try {
      const started = startDevServer({ port: await freePort(), uiPort: taken.port, namespace: 'default' });
      await expect(started).rejects.toBeInstanceOf(PortClashError);
      await expect(started).rejects.toThrow(/address already in use/);
    } finally {
      await taken.release();
    }
  });

  it('starts on fresh ports and answers; a taken frontend port is refused before spawning', async () => {
    const server = await startDevServerOnFreePorts({ namespace: 'default' });
    try {
      const port = Number(server.address.split(':')[1]);
      await expect(startDevServer({ port, uiPort: await freePort(), namespace: 'default' })).rejects.toThrow(
        `Port ${port} is already in use`,
      );
    } finally {
      await server.stop();
    }
    expect(server.process.exitCode !== null || server.process.signalCode !== null).toBe(true);
  });
});
