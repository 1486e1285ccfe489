import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../error-handler';
import { docsRoutes } from '../../routes/docs.routes';

describe('GET /openapi.json and /docs', () => {
  let builds = 0;
  const app = express();
  app.use(
    docsRoutes({
      document: () => {
        builds += 1;
        return { openapi: '3.1.1', info: { title: 'Test', version: '1' }, paths: {} };
      },
    }),
  );
  app.use(errorHandler);

  it('serves the document as JSON, built once', async () => {
    const first = await request(app).get('/openapi.json').expect(200);
    expect(first.type).toBe('application/json');
    expect(first.body).toEqual({ openapi: '3.1.1', info: { title: 'Test', version: '1' }, paths: {} });
    await request(app).get('/openapi.json').expect(200);
    expect(builds).toBe(1);
  });

  it('serves the real document by default', async () => {
    const real = express().use(docsRoutes());
    const res = await request(real).get('/openapi.json').expect(200);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    expect(res.body.paths['/bookings/{reference}'].get.operationId).toBe('getBookingsByReference');
  });

  it('redirects /docs to /docs/ (the page loads its assets relatively), keeping the query', async () => {
    const res = await request(app).get('/docs?x=1').expect(301);
    expect(res.headers.location).toBe('/docs/?x=1');
  });

  it('serves Swagger UI pointed at /openapi.json, with its assets from node_modules (no CDN)', async () => {
    const page = await request(app).get('/docs/').expect(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('<title>Itinera API</title>');
    expect(page.text).toContain('./swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);

    const init = await request(app).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.type).toBe('application/javascript');
    expect(init.text).toContain('"swaggerUrl": "/openapi.json"');

    const bundle = await request(app).get('/docs/swagger-ui-bundle.js').expect(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
    await request(app).get('/docs/swagger-ui.css').expect(200).expect('Content-Type', /text\/css/);
  });

  it('answers a problem, not plain text, for an asset that is not there', async () => {
    const res = await request(app).get('/docs/package.json').expect(404);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toEqual(expect.objectContaining({ status: 404, title: 'Not found' }));
  });
});
