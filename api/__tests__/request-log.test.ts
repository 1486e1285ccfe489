import express from 'express';
import request from 'supertest';
import { createLogger } from '../../infra/logger';
import { requestLogging } from '../request-log';

/** An app with the request logging `createApp` uses, its log lines collected as parsed JSON. */
function loggedApp() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', 'request-log-test', { stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  const app = express();
  app.use(requestLogging(logger));
  app.get('/trips/:id', (req, res) => {
    req.log.info({ tripId: req.params.id }, 'looking the trip up');
    res.json({ id: req.params.id });
  });
  app.get('/broken', () => {
    throw new Error('kaput');
  });
  app.use((_req: express.Request, res: express.Response) => void res.status(404).json({ missing: true }));
  app.use((_err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json({ failed: true }));
  return { app, lines };
}

describe('request logging', () => {
  it('logs one line per request with who asked what and how it ended, and never a credential', async () => {
    const { app, lines } = loggedApp();
    const res = await request(app)
      .get('/trips/T-1?expand=legs')
      .set('Authorization', 'Bearer secret-access-token')
      .set('Cookie', 'itinera_session=secret-cookie')
      .set('X-Api-Key', 'secret-api-key')
      .set('User-Agent', 'advisor-app/2.3')
      .set('X-Request-Id', 'req-42');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-42');

    const done = lines.find((l) => l.msg === 'request completed')!;
    expect(done).toMatchObject({
      level: 30,
      req: { id: 'req-42', method: 'GET', url: '/trips/T-1?expand=legs', userAgent: 'advisor-app/2.3' },
      res: { statusCode: 200 },
    });
    expect(typeof (done.req as { remoteAddress?: unknown }).remoteAddress).toBe('string');
    expect(typeof done.responseTime).toBe('number');
    // The route's own line is bound to the same request.
    expect(lines.find((l) => l.msg === 'looking the trip up')).toMatchObject({ tripId: 'T-1', req: { id: 'req-42' } });
    const all = JSON.stringify(lines);
    for (const secret of ['secret-access-token', 'secret-cookie', 'secret-api-key']) expect(all).not.toContain(secret);
  });

  it('logs refusals as warnings and failures as errors', async () => {
    const { app, lines } = loggedApp();
    await request(app).get('/nowhere').expect(404);
    await request(app).get('/broken').expect(500);
    expect(lines.map((l) => [(l.req as { url: string }).url, (l.res as { statusCode: number }).statusCode, l.level])).toEqual([
      ['/nowhere', 404, 40],
      ['/broken', 500, 50],
    ]);
  });

  it('gives a request without a usable X-Request-Id a new id, and says it in the answer', async () => {
    const { app, lines } = loggedApp();
    const res = await request(app).get('/trips/T-2').set('X-Request-Id', 'not a valid id!');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.at(-1)).toMatchObject({ req: { id: res.headers['x-request-id'] } });
  });
});
