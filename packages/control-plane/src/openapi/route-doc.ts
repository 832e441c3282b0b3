/**
 * How one route is described for the OpenAPI document: the same zod schemas its validators use
 * (from @nightshift/protocol), plus a summary. Descriptions live in a table keyed by
 * "METHOD /path" exactly as Hono registers the route, like tenancy/route-policy.ts, and a test
 * compares that table with the app's own route list in both directions.
 */
import type { z } from "zod";

/** Who may call a route; it becomes the operation's `security`. */
export type Access = "public" | "user" | "tenant";

export interface ResponseDoc {
  description: string;
  /** Absent for answers without a body (204, a WebSocket upgrade). */
  schema?: z.ZodType;
  /** The body's media type when it is not JSON (a CSV export). */
  mediaType?: string;
  /** Response headers worth naming (Location, Retry-After...), with what they carry. */
  headers?: Record<string, string>;
}

export interface RouteDoc {
  /** One line, imperative or descriptive: shown as the operation's title. */
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  /** Only the parameters worth more than "a string": the rest are generated from the path. */
  params?: Record<string, z.ZodType>;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The body may be left out entirely (an all-optional body). */
  bodyOptional?: boolean;
  /** Successful answers by status. Error answers are added from what the route can fail with. */
  responses: Record<number, ResponseDoc>;
  /** Error statuses beyond the ones every route of its kind can give (e.g. 402, 409, 426). */
  errors?: number[];
}

export type RouteDocs = Record<string, RouteDoc>;

export const T = "/api/v1/tenants/:tenantId";

/** Routes that answer both at /api/v1/... (tenant from the key or header) and under a tenant path. */
export function inBothScopes(docs: Record<string, RouteDoc>): RouteDocs {
  const out: RouteDocs = {};
  for (const [key, doc] of Object.entries(docs)) {
    const [method, path] = key.split(" ");
    out[`${method} /api/v1${path}`] = doc;
    out[`${method} ${T}${path}`] = doc;
  }
  return out;
}

export const noContent = (description: string): Record<number, ResponseDoc> => ({ 204: { description } });
