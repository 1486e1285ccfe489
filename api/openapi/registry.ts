import type { z } from 'zod';
import type { HttpMethod } from '../access/route-policy';

/**
 * What the OpenAPI document says about each route, beside what ROUTE_POLICIES already says
 * (access, step-up, idempotency, master data): one entry per route, with the zod schemas the
 * route's handler actually parses. Everything the policy implies (security, `Idempotency-Key`,
 * `If-Match`, `ETag`, the problem responses) is added by `buildOpenApiDocument`.
 */
export interface RouteDoc {
  method: HttpMethod;
  /** Express path pattern, exactly as in ROUTE_POLICIES. */
  path: string;
  /** One line: what the route does. */
  summary: string;
  /** More: when it answers what (from the route's TSDoc). */
  description?: string;
  tags: readonly string[];
  /** Defaults to one derived from method and path (`getBookingsByReference`). */
  operationId?: string;
  /** Path parameters by name, as the route parses them (a missing one is documented as a string). */
  params?: Readonly<Record<string, z.ZodType>>;
  /** The query object schema the route parses (`parseOrProblem(Query, queryOf(req), 'query:', 400)`). */
  query?: z.ZodType;
  body?: z.ZodType | BodyDoc;
  /** Success answers by status. Problem answers are added from the policy and `problems`. */
  responses: Readonly<Record<number, ResponseDoc | string>>;
  /** Problem statuses beyond those the policy and the inputs imply (409 conflicts, 503, 504...). */
  problems?: readonly number[];
  /** Request headers the route itself reads (beyond those the policy implies). */
  headers?: readonly HeaderDoc[];
}

export interface BodyDoc {
  /** The schema the route parses; absent: a JSON object described by `description` (documented generically). */
  schema?: z.ZodType;
  /** Component name (default: `<OperationId>Request`). */
  name?: string;
  description?: string;
  /** Default `['application/json']`. Non-JSON types get `{type: string}` unless the schema says otherwise. */
  contentTypes?: readonly string[];
  /** Default true. */
  required?: boolean;
  /** Fields the schema requires that the route fills in itself (from the URL). */
  optional?: readonly string[];
}

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Default `application/json`; several for routes that answer JSON or CSV. */
  contentTypes?: readonly string[];
  /** Response headers (`Location`...). */
  headers?: readonly string[];
}

export interface HeaderDoc {
  name: string;
  required: boolean;
  description: string;
  schema?: z.ZodType;
}

/** A JSON body the route checks itself (not with a zod schema): documented as an object with a description. */
export const described = (description: string, extra: Omit<BodyDoc, 'schema' | 'description'> = {}): BodyDoc => ({ description, ...extra });

/** The entries of one area, all under the same tags. */
export const area = (tags: readonly string[], docs: readonly Omit<RouteDoc, 'tags'>[]): RouteDoc[] => docs.map((d) => ({ ...d, tags }));
