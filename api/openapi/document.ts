import { parse, type Token } from 'path-to-regexp';
import { z } from 'zod';
import { isIsoDate } from '../../domain/time/instant';
import { ROUTE_POLICIES, type RoutePolicy } from '../access/route-policy';
import type { BodyDoc, HeaderDoc, ResponseDoc, RouteDoc } from './registry';
import { ROUTE_DOCS } from './routes';

/** A JSON Schema (2020-12) or OpenAPI object, as plain JSON. */
type Json = Record<string, unknown>;

export interface OpenApiOptions {
  /** Default: the package version. */
  version?: string;
  /** `servers` entries (default none: the document is relative to where it is served). */
  servers?: readonly { url: string; description?: string }[];
  policies?: readonly RoutePolicy[];
  docs?: readonly RouteDoc[];
}

/** Schemas zod could not express in JSON Schema, with why (also written into the schema's description). */
export interface ConversionNote {
  where: string;
  problem: string;
}

const PROBLEM_TITLES: Record<number, string> = {
  400: 'Bad request: a path or query parameter, a header, or the JSON itself is malformed',
  401: 'Not authenticated: missing, malformed, expired or revoked credentials (the answer says no more)',
  403: 'Forbidden: the caller lacks the permission, the branch, a fresh step-up MFA, or an allowed IP address (or, with the session cookie, a valid CSRF token or the app’s own Origin)',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflict with the current state (or an Idempotency-Key reused with a different body)',
  412: 'Precondition failed: If-Match does not match the current ETag',
  413: 'Request too large',
  415: 'Unsupported media type: send application/json',
  422: 'Invalid request body: every offending field in `errors`',
  429: 'Too many requests: retry after `Retry-After` seconds',
  503: 'A dependency (database, Temporal) is unavailable: nothing was changed, retry shortly',
  504: 'The workflow did not answer in time: the change may still apply, retry with the same key',
};

const RESPONSE_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDetails' };

const COMPONENT_SCHEMAS: Json = {
  FieldError: {
    type: 'object',
    description: 'One offending input.',
    required: ['pointer', 'detail'],
    properties: {
      pointer: { type: 'string', description: 'JSON Pointer (RFC 6901) into the body, or `header:<name>`, `path:<name>`, `query:/<name>`', examples: ['/components/0/passengers/1/lastName', 'query:/limit'] },
      detail: { type: 'string', examples: ['is required'] },
    },
  },
  ProblemDetails: {
    type: 'object',
    description: 'An RFC 9457 problem. Every error the API answers has this shape, as application/problem+json.',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string', format: 'uri-reference', examples: ['/problems/invalid-request'] },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string' },
      instance: { type: 'string', format: 'uri-reference', description: 'The request path' },
      requestId: { type: 'string', description: 'The `X-Request-Id` of the request, to quote when reporting' },
      errors: { type: 'array', items: { $ref: '#/components/schemas/FieldError' } },
    },
    additionalProperties: true,
  },
};

const PARAMETERS: Json = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'A unique key per intended change. A repeat with the same key and body answers the first response again (kept at least 24 h); the same key with a different body is refused (409).',
    schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The ETag read with GET; the change is refused (412) if the resource changed since.',
    schema: { type: 'string' },
  },
};

const HEADERS: Json = {
  ETag: { description: 'The version of the resource, for If-Match', schema: { type: 'string' } },
  Location: { description: 'Where the created (or followed) resource is', schema: { type: 'string', format: 'uri-reference' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
  'X-Next-Cursor': { description: 'CSV answers: the `cursor` of the next page (absent on the last page)', schema: { type: 'string' } },
};

/** The document's introduction: what a client must know before its first call. */
const DESCRIPTION = [
  'The travel ERP core: bookings, customers, catalog and inventory, channel managers, finance, operations and reports.',
  '',
  '## Authentication',
  '',
  '- **Staff** sign in with `POST /auth/login` (e-mail and password). Users with an authenticator get an MFA `challenge` instead of tokens: complete it with `POST /auth/mfa` and a TOTP or recovery code. Send the short-lived access token as `Authorization: Bearer <accessToken>`; renew it with `POST /auth/refresh` (each refresh token is single use: a reused one ends the session). `POST /auth/logout` ends the session. Every sign-in refusal is the same 401, whatever the reason; repeated failures lock the account, and too many attempts from one address are 429 with `Retry-After`.',
  '- **Browsers** sign in through the HTML form at `GET /auth/sign-in` (same checks as `/auth/login`): the session is then an `HttpOnly`, `SameSite=Strict` cookie (`__Host-itinera_session`; `itinera_session` on plain-http local development) with the same timeouts and revocation. A change (POST, PUT, PATCH, DELETE) made with the cookie must send the session’s CSRF token as `X-CSRF-Token` (pages embed it; forms as the `_csrf` field) and, if it names an `Origin`, come from the app’s own: else 403 `/problems/csrf-token-invalid` or `/problems/cross-origin-request`. `POST /auth/sign-out` ends the browser session.',
  '- **Systems** send a scoped API key (issued by `POST /api-keys`, shown once) as `X-Api-Key: <key>`. Its scopes are its permissions.',
  '- **Permissions**: `x-permission` names the permission an operation needs (see `GET /access/roles`); a caller without it, outside its branch, or from an address outside its IP allowlist gets 403.',
  '- **Step-up**: operations marked `x-step-up` (journal entries, refunds) need a TOTP code proved recently: `POST /auth/step-up` with a code answers a fresh access token; without it they answer 403. API keys are not asked.',
  '',
  '## Conventions',
  '',
  '- **Idempotency-Key** on POSTs that create or pay (`x-idempotent`): a repeat with the same key and body answers the first response again; the same key with another body is 409.',
  '- **ETag / If-Match** on master data (`x-master-data`): GET answers an `ETag`; send it back as `If-Match` on PUT, PATCH and DELETE, and a change made meanwhile is refused with 412.',
  '- **Errors** are RFC 9457 problems (`application/problem+json`) naming each offending input with a JSON Pointer in `errors`. Money is a decimal string with its currency, never a float.',
].join('\n');

/** Express pattern → OpenAPI path: `/:id` → `/{id}`; optional groups (`{/*rest}`) are left out. */
export function openApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const render = (tokens: readonly Token[]): string =>
    tokens
      .map((t) => {
        if (t.type === 'text') return t.value;
        if (t.type === 'param' || t.type === 'wildcard') {
          params.push(t.name);
          return `{${t.name}}`;
        }
        return '';
      })
      .join('');
  return { path: render(parse(expressPath).tokens), params };
}

/** `GET /bookings/:reference/payments` → `getBookingsByReferencePayments`. */
export function defaultOperationId(method: string, expressPath: string): string {
  const words = openApiPath(expressPath)
    .path.split('/')
    .filter(Boolean)
    .map((seg) => {
      const param = /^\{(.+)\}$/.exec(seg);
      const text = param ? `by-${param[1]}` : seg;
      return text
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('');
    });
  return method.toLowerCase() + words.join('');
}

/**
 * Refinements have no JSON Schema; the common ones get the keyword that says the same: a string
 * refined with `isIsoDate` (IsoDate and everything built on it) is `format: date`.
 */
function describeRefinements(ctx: { zodSchema: unknown; jsonSchema: Json }): void {
  const def = (ctx.zodSchema as { _zod?: { def?: { type?: string; checks?: { _zod?: { def?: { fn?: unknown } } }[] } } })._zod?.def;
  if (def?.type === 'string' && def.checks?.some((c) => c._zod?.def?.fn === isIsoDate)) {
    ctx.jsonSchema.format ??= 'date';
    ctx.jsonSchema.pattern ??= '^\\d{4}-\\d{2}-\\d{2}$';
  }
}

const pascal = (id: string) => id[0]!.toUpperCase() + id.slice(1);
const isZod = (v: unknown): v is z.ZodType => v instanceof z.ZodType;

/**
 * Builds the OpenAPI 3.1 document: one operation per route policy, described by its RouteDoc.
 * Throws when a policy has no RouteDoc or a RouteDoc no policy (the test says which).
 */
export function buildOpenApiDocument(options: OpenApiOptions = {}): { document: Json; notes: ConversionNote[] } {
  const policies = options.policies ?? ROUTE_POLICIES;
  const docs = options.docs ?? ROUTE_DOCS;
  const notes: ConversionNote[] = [];
  const schemas: Json = { ...COMPONENT_SCHEMAS };
  const key = (method: string, path: string) => `${method} ${path}`;
  const docByKey = new Map(docs.map((d) => [key(d.method, d.path), d]));
  const policyKeys = new Set(policies.map((p) => key(p.method, p.path)));
  const missing = policies.filter((p) => !docByKey.has(key(p.method, p.path))).map((p) => key(p.method, p.path));
  const extra = docs.filter((d) => !policyKeys.has(key(d.method, d.path))).map((d) => key(d.method, d.path));
  if (missing.length || extra.length) {
    throw new Error(`OpenAPI registry out of step with ROUTE_POLICIES: ${[...missing.map((m) => `undocumented ${m}`), ...extra.map((e) => `not a route ${e}`)].join('; ')}`);
  }

  /** zod → JSON Schema 2020-12 (input side), `$defs` hoisted into components under `<base>_<name>`. */
  const toSchema = (schema: z.ZodType, base: string, where: string): Json => {
    const convert = (unrepresentable: 'throw' | 'any') => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable, reused: 'inline', cycles: 'ref', override: describeRefinements }) as Json;
    let out: Json;
    try {
      out = convert('throw');
    } catch (err) {
      // A type JSON Schema cannot express (a custom check, a Date...): that part becomes `{}` (anything), and the note says where.
      const problem = err instanceof Error ? err.message : String(err);
      notes.push({ where, problem });
      try {
        out = { ...convert('any') };
      } catch {
        out = {};
      }
      out.description = [out.description, `Partly not expressible in JSON Schema (${problem}); the server checks the rest.`].filter(Boolean).join(' ');
    }
    const { $schema: _ignored, $defs, ...rest } = out;
    const hoist = (renamed: (name: string) => string) => {
      const rewrite = (node: unknown): unknown => {
        if (Array.isArray(node)) return node.map(rewrite);
        if (!node || typeof node !== 'object') return node;
        const copy: Json = {};
        for (const [k, v] of Object.entries(node as Json)) {
          copy[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? `#/components/schemas/${renamed(v.slice('#/$defs/'.length))}` : k === '$ref' && v === '#' ? `#/components/schemas/${base}` : rewrite(v);
        }
        return copy;
      };
      return { defs: Object.entries(($defs ?? {}) as Json).map(([name, def]) => [renamed(name), rewrite(def)] as const), body: rewrite(rest) as Json };
    };
    // A named schema (`meta({ id })`) is one component shared by every operation using it; when a
    // component of that name already says something else, this operation's copies are prefixed.
    let hoisted = hoist((name) => name);
    if (hoisted.defs.some(([name, def]) => schemas[name] !== undefined && JSON.stringify(schemas[name]) !== JSON.stringify(def))) hoisted = hoist((name) => `${base}_${name}`);
    for (const [name, def] of hoisted.defs) schemas[name] = def;
    return hoisted.body;
  };

  const dropRequired = (schema: Json, fields: readonly string[]): Json => {
    const copy: Json = { ...schema };
    if (Array.isArray(copy.required)) copy.required = (copy.required as string[]).filter((r) => !fields.includes(r));
    for (const comb of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (Array.isArray(copy[comb])) copy[comb] = (copy[comb] as Json[]).map((s) => dropRequired(s, fields));
    }
    return copy;
  };

  const paths: Record<string, Record<string, Json>> = {};
  const tags = new Set<string>();

  for (const policy of policies) {
    const doc = docByKey.get(key(policy.method, policy.path))!;
    const { path, params: pathParams } = openApiPath(policy.path);
    const operationId = doc.operationId ?? defaultOperationId(policy.method, policy.path);
    const where = `${policy.method} ${policy.path}`;
    doc.tags.forEach((t) => tags.add(t));
    const parameters: Json[] = [];
    const problems = new Set<number>(doc.problems ?? []);

    for (const name of pathParams) {
      const given = doc.params?.[name];
      const schema = given ? toSchema(given, `${pascal(operationId)}_${name}`, `${where} path ${name}`) : { type: 'string' };
      const { description, ...rest } = schema;
      parameters.push({ name, in: 'path', required: true, ...(description ? { description } : {}), schema: rest });
    }
    if (pathParams.length) problems.add(400).add(404);

    if (doc.query) {
      const schema = toSchema(doc.query, `${pascal(operationId)}Query`, `${where} query`);
      const props = schema.properties as Record<string, Json> | undefined;
      if (props) {
        const required = new Set((schema.required as string[] | undefined) ?? []);
        for (const [name, prop] of Object.entries(props)) {
          const { description, ...rest } = prop;
          parameters.push({ name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest });
        }
      } else {
        // A query that is not a plain object (a union): one exploded object parameter.
        parameters.push({ name: 'query', in: 'query', style: 'form', explode: true, schema });
      }
      problems.add(400);
    }

    const idempotent = policy.method === 'POST' && (policy.idempotent ?? typeof policy.access === 'object');
    const headers: readonly HeaderDoc[] = doc.headers ?? [];
    for (const h of headers) {
      parameters.push({ name: h.name, in: 'header', required: h.required, description: h.description, schema: h.schema ? toSchema(h.schema, `${pascal(operationId)}_${h.name.replace(/\W/g, '')}`, `${where} header ${h.name}`) : { type: 'string' } });
      problems.add(400);
    }
    if (idempotent) {
      if (!headers.some((h) => h.name.toLowerCase() === 'idempotency-key')) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
      problems.add(409).add(422);
    }
    const guarded = policy.masterData && ['PUT', 'PATCH', 'DELETE'].includes(policy.method);
    if (guarded) {
      parameters.push({ $ref: '#/components/parameters/IfMatch' });
      // If-Match is honoured, not required (api/access/etags.ts): a mismatch is 412, its absence no problem.
      problems.add(412);
    }

    let requestBody: Json | undefined;
    if (doc.body) {
      const body: BodyDoc = isZod(doc.body) ? { schema: doc.body } : doc.body;
      const contentTypes = body.contentTypes ?? ['application/json'];
      let schemaRef: Json;
      if (body.schema) {
        const name = body.name ?? `${pascal(operationId)}Request`;
        const converted = toSchema(body.schema, name, `${where} body`);
        const finalName = body.optional ? `${name}Replacement` : name;
        const schema = body.optional ? dropRequired(converted, body.optional) : converted;
        // One name, one schema: a body named like another component (a response's, say) would replace it.
        if (schemas[finalName] !== undefined && JSON.stringify(schemas[finalName]) !== JSON.stringify(schema)) {
          throw new Error(`OpenAPI: ${where} body is named ${finalName}, which another component already uses for a different schema; name one of them differently`);
        }
        schemas[finalName] = schema;
        schemaRef = { $ref: `#/components/schemas/${finalName}` };
      } else {
        schemaRef = { type: 'object', description: body.description ?? 'A JSON object', additionalProperties: true };
      }
      const content: Json = {};
      for (const ct of contentTypes) content[ct] = { schema: ct.includes('json') || ct === 'application/x-www-form-urlencoded' ? schemaRef : { type: 'string', description: body.description ?? ct } };
      requestBody = { required: body.required ?? true, ...(body.description ? { description: body.description } : {}), content };
      problems.add(400).add(422);
      if (contentTypes.includes('application/json')) problems.add(415);
    }

    if (policy.access === 'channel-signature') problems.add(401);
    else if (policy.access !== 'public') problems.add(401).add(403);

    const responses: Json = {};
    for (const [status, given] of Object.entries(doc.responses)) {
      const r: ResponseDoc = typeof given === 'string' ? { description: given } : given;
      const contentTypes = r.contentTypes ?? ['application/json'];
      const content: Json = {};
      const schema = r.schema ? toSchema(r.schema, `${pascal(operationId)}Response${status}`, `${where} response ${status}`) : { type: 'object', description: r.description };
      for (const ct of contentTypes) content[ct] = { schema: ct.includes('json') ? schema : { type: 'string' } };
      const headerNames = [...(r.headers ?? []), ...(policy.masterData && policy.method === 'GET' && status.startsWith('2') ? ['ETag'] : [])];
      responses[status] = {
        description: r.description,
        ...(headerNames.length ? { headers: Object.fromEntries([...new Set(headerNames)].map((h) => [h, { $ref: `#/components/headers/${h}` }])) } : {}),
        ...(status === '204' || status.startsWith('3') ? {} : { content }),
      };
    }
    for (const status of [...problems].sort((a, b) => a - b)) {
      if (responses[String(status)]) continue;
      responses[String(status)] = { $ref: `#/components/responses/${RESPONSE_NAMES[status] ?? String(status)}` };
    }
    responses.default = { $ref: '#/components/responses/Problem' };

    const permission = typeof policy.access === 'object' ? policy.access.permission : undefined;
    const operation: Json = {
      operationId,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: [...doc.tags],
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
      security: policy.access === 'public' || policy.access === 'channel-signature' ? [] : [{ bearerAuth: [] }, { apiKey: [] }, { sessionCookie: [] }],
      'x-access': typeof policy.access === 'object' ? 'permission' : policy.access,
      ...(permission ? { 'x-permission': permission } : {}),
      ...(policy.stepUp ? { 'x-step-up': policy.stepUp } : {}),
      ...(idempotent ? { 'x-idempotent': true } : {}),
      ...(policy.masterData ? { 'x-master-data': true } : {}),
      ...(policy.branchScoped ? { 'x-branch-scoped': true } : {}),
      ...(policy.financial ? { 'x-financial': true } : {}),
    };
    (paths[path] ??= {})[policy.method.toLowerCase()] = operation;
  }

  const responses: Json = {
    Problem: { description: 'Any other problem (500 with an opaque message and a request id)', content: { 'application/problem+json': { schema: PROBLEM_REF } } },
  };
  for (const [status, name] of Object.entries(RESPONSE_NAMES)) {
    responses[name] = {
      description: PROBLEM_TITLES[Number(status)],
      ...(status === '429' || status === '503' ? { headers: { 'Retry-After': { $ref: '#/components/headers/Retry-After' } } } : {}),
      content: { 'application/problem+json': { schema: PROBLEM_REF } },
    };
  }

  const document: Json = {
    openapi: '3.1.1',
    info: {
      title: 'Itinera API',
      version: options.version ?? '0.1.0',
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    ...(options.servers?.length ? { servers: options.servers.map((s) => ({ ...s })) } : {}),
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      responses,
      parameters: PARAMETERS,
      headers: HEADERS,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A short-lived access token from /auth/login (then /auth/refresh)' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'A scoped API key for system integrations' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: '__Host-itinera_session',
          description: 'A browser session from the sign-in form (GET /auth/sign-in); `itinera_session` on plain-http local development. Changes also need the session’s CSRF token in `X-CSRF-Token`.',
        },
      },
    },
  };
  return { document, notes };
}

let cached: Json | undefined;

/** The document of the running API, built once. */
export function openApiDocument(): Json {
  cached ??= buildOpenApiDocument().document;
  return cached;
}
