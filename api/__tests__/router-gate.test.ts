import express, { Router } from 'express';
import request from 'supertest';
import { firstSegments, routersBySegment } from '../router-gate';

/** A router whose every entry is counted (what the gate lets in). */
function counted(router: Router): { router: Router; entered: () => number } {
  let n = 0;
  const spy = Object.assign((req: express.Request, res: express.Response, next: express.NextFunction) => {
    n++;
    router(req, res, next);
  }, { stack: router.stack }) as unknown as Router;
  return { router: spy, entered: () => n };
}

describe('routers entered by their first path segments, behind one layer', () => {
  const operations = Router();
  operations.get('/operations/resources', (_req, res) => void res.json({ from: 'operations' }));
  operations.post('/dispatch/:day', (req, res) => void res.json({ day: req.params.day }));
  const moreOperations = Router();
  moreOperations.get('/operations/services', (_req, res) => void res.json({ from: 'more' }));
  const byParam = Router();
  byParam.get('/:anything/echo', (req, res) => void res.json({ echo: req.params.anything }));

  const ops = counted(operations);
  const more = counted(moreOperations);
  const param = counted(byParam);
  const app = express();
  app.use(routersBySegment([ops.router, more.router, param.router]));
  app.use((req, res) => void res.status(404).json({ missing: req.path }));

  it("tells each router's first segments, or null when a route or middleware hides them", () => {
    expect(firstSegments(operations)).toEqual(new Set(['operations', 'dispatch']));
    expect(firstSegments(byParam)).toBeNull();
    const withMiddleware = Router();
    withMiddleware.use('/docs', (_req, _res, next) => next());
    expect(firstSegments(withMiddleware)).toBeNull();
    const empty = Router();
    expect(firstSegments(empty)).toEqual(new Set());
  });

  it('answers from the router that serves the path, and skips the routers that cannot', async () => {
    const before = { ops: ops.entered(), more: more.entered(), param: param.entered() };
    const services = await request(app).get('/operations/services');
    expect(services.body).toEqual({ from: 'more' });
    // The operations router was tried (same segment) and passed the request on; the last one never ran.
    expect(ops.entered() - before.ops).toBe(1);
    expect(more.entered() - before.more).toBe(1);
    expect(param.entered() - before.param).toBe(0);

    const dispatch = await request(app).post('/dispatch/2027-03-01');
    expect(dispatch.body).toEqual({ day: '2027-03-01' });
    expect(more.entered() - before.more).toBe(1);
  });

  it('matches segments without regard to case, as Express matches routes by default', async () => {
    const res = await request(app).get('/Operations/resources');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ from: 'operations' });
  });

  it('always enters a router whose segments cannot be told, and ends unknown paths at the 404', async () => {
    const before = { ops: ops.entered(), param: param.entered() };
    const echo = await request(app).get('/rome/echo');
    expect(echo.body).toEqual({ echo: 'rome' });
    const missing = await request(app).get('/nowhere/at/all');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ missing: '/nowhere/at/all' });
    expect(ops.entered() - before.ops).toBe(0);
    expect(param.entered() - before.param).toBe(2);
  });

  it('hands an error straight on: no later router runs, the error handler answers', async () => {
    const failing = Router();
    failing.get('/operations/broken', () => {
      throw new Error('boom');
    });
    const after = counted(moreOperations);
    const withError = express();
    withError.use(routersBySegment([failing, after.router]));
    withError.use((_req: express.Request, res: express.Response) => void res.status(404).json({}));
    withError.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json({ error: err.message }));
    const res = await request(withError).get('/operations/broken');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'boom' });
    expect(after.entered()).toBe(0);
  });

  it("shows the routers' stacks, in order, to whatever lists the app's routes", () => {
    expect(routersBySegment([operations, moreOperations]).stack).toEqual([...operations.stack, ...moreOperations.stack]);
  });
});
