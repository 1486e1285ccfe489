import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { openApiDocument } from '../openapi/document';
import { NotFoundProblem } from '../problem';

export interface DocsRouteDeps {
  /** The document to serve (default: the API's, built once on first use). */
  document?: () => object;
}

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document. `GET /docs`: Swagger UI over it, its assets served
 * from node_modules (swagger-ui-dist), so the docs work without internet access. Both public.
 */
export function docsRoutes(deps: DocsRouteDeps = {}): Router {
  const router = Router();
  const document = deps.document ?? openApiDocument;
  let body: string | undefined;

  router.get('/openapi.json', (_req, res) => {
    body ??= JSON.stringify(document());
    res.type('application/json').send(body);
  });

  const options = { swaggerUrl: '/openapi.json', customSiteTitle: 'Itinera API', swaggerOptions: { displayOperationId: true } };
  const page = swaggerUi.generateHTML(undefined, options);
  router.get('/docs', (req, res) => {
    const [path = '', query] = req.originalUrl.split(/\?(.*)/s);
    // The page loads its assets relatively (./swagger-ui.css), so its address ends with a slash.
    if (!path.endsWith('/')) {
      res.redirect(301, `${path}/${query ? `?${query}` : ''}`);
      return;
    }
    res.type('html').send(page);
  });
  // swagger-ui-express would answer a plain-text 404 here; every error is a problem.
  router.get('/docs/package.json', () => {
    throw new NotFoundProblem('No such documentation asset');
  });
  router.use('/docs', swaggerUi.serveFiles(undefined, options));
  return router;
}
