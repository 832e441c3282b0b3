/**
 * The OpenAPI 3.1 document, generated from the route descriptions (route-doc.ts) and the zod
 * schemas they name, with zod 4's own `z.toJSONSchema` (JSON Schema 2020-12, the dialect OpenAPI
 * 3.1 uses).
 *
 * Why not a Hono OpenAPI integration: `@hono/zod-openapi` needs every route rewritten as an
 * OpenAPIHono `createRoute`, and `hono-openapi` needs `describeRoute` plus its own validator in
 * every route file — both would touch every handler and replace the project's validator
 * (http/validate.ts, which maps failures to the one error contract). A description table checked
 * against `app.routes` by a test keeps the handlers as they are, adds no dependency, and reads the
 * same schemas the validators use.
 */
import { ERROR_TABLE, ErrorBody, TENANT_HEADER } from "@nightshift/protocol";
import { z } from "zod";
import { VERSION } from "../routes/health";
import { automationDocs } from "./automation-docs";
import { deviceDocs } from "./device-docs";
import { integrationDocs } from "./integration-docs";
import type { RouteDoc, RouteDocs } from "./route-doc";
import { sessionDocs } from "./session-docs";
import { settingsDocs } from "./settings-docs";
import { tenantDocs } from "./tenant-docs";

/** Every documented route, keyed "METHOD /path" as Hono registers it. */
export const ROUTE_DOCS: RouteDocs = {
  ...sessionDocs,
  ...tenantDocs,
  ...settingsDocs,
  ...integrationDocs,
  ...deviceDocs,
  ...automationDocs,
};

type JsonSchema = Record<string, unknown>;

/** Most schemas are named by several routes (every session route twice): convert each once. */
const converted = {
  input: new WeakMap<z.ZodType, JsonSchema>(),
  output: new WeakMap<z.ZodType, JsonSchema>(),
};

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const known = converted[io].get(schema);
  if (known) return known;
  // Transforms (coerced numbers, refinements) have no JSON Schema: they become {} rather than failing.
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  delete out.$schema;
  converted[io].set(schema, out);
  return out;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "the request is invalid: `issues` names each bad field",
  401: "no valid credential (API key or session cookie)",
  402: "over a budget: the message has the figures",
  403: "the caller may not do this (role, or an API key where a signed-in user is needed)",
  404: "no such thing in this tenant (or the tenant is not the caller's)",
  409: "clashes with the current state",
  410: "gone",
  413: "the body is too large",
  415: "the body is not JSON",
  426: "this endpoint speaks WebSocket only",
  429: "rate limited: wait for Retry-After",
  500: "an unexpected failure; quote the request id",
  503: "a dependency is down or not configured",
};

function errorStatuses(doc: RouteDoc): number[] {
  const statuses = new Set<number>([500, ...(doc.errors ?? [])]);
  if (doc.body || doc.query || doc.params) statuses.add(400);
  if (doc.body) {
    statuses.add(413);
    statuses.add(415);
  }
  if (doc.access !== "public") statuses.add(401);
  if (doc.access === "tenant") {
    statuses.add(403);
    statuses.add(404);
  }
  if (doc.params) statuses.add(404);
  return [...statuses].sort((a, b) => a - b);
}

/** Hono's `/sessions/:id` is OpenAPI's `/sessions/{id}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function pathParameters(path: string, doc: RouteDoc): JsonSchema[] {
  const names = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? "");
  return names.map((name) => {
    const given = doc.params?.[name];
    const schema = given ? jsonSchemaOf(given, "input") : { type: "string" };
    const description =
      name === "tenantId" ? "the tenant's id or slug" : (schema.description as string | undefined);
    return { name, in: "path", required: true, schema, ...(description ? { description } : {}) };
  });
}

function queryParameters(doc: RouteDoc): JsonSchema[] {
  if (!doc.query) return [];
  const schema = jsonSchemaOf(doc.query, "input");
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema: property,
  }));
}

function responsesOf(doc: RouteDoc): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    out[status] = {
      description: response.description,
      ...(response.schema
        ? {
            content: {
              [response.mediaType ?? "application/json"]: { schema: jsonSchemaOf(response.schema, "output") },
            },
          }
        : {}),
      ...(response.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, description]) => [
                name,
                { description, schema: { type: "string" } },
              ]),
            ),
          }
        : {}),
    };
  }
  for (const status of errorStatuses(doc)) {
    out[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? "an error",
      content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } } },
      ...(status === 429
        ? { headers: { "retry-after": { description: "seconds to wait", schema: { type: "integer" } } } }
        : {}),
    };
  }
  return out;
}

const SECURITY: Record<RouteDoc["access"], JsonSchema[]> = {
  public: [],
  user: [{ apiKey: [] }, { sessionCookie: [] }],
  tenant: [{ apiKey: [] }, { sessionCookie: [] }],
};

/** Tenant routes without a tenant in the path act in the API key's tenant, or the one this header names. */
function tenantHeader(path: string, doc: RouteDoc): JsonSchema[] {
  if (doc.access !== "tenant" || path.includes(":tenantId")) return [];
  return [
    {
      name: TENANT_HEADER,
      in: "header",
      required: false,
      schema: { type: "string" },
      description:
        "the tenant (id or slug) for a signed-in browser in several tenants; an API key implies its own",
    },
  ];
}

function operationOf(key: string, path: string, doc: RouteDoc): JsonSchema {
  const parameters = [...pathParameters(path, doc), ...queryParameters(doc), ...tenantHeader(path, doc)];
  return {
    operationId: key.replace(/[^A-Za-z0-9]+/g, "_").replace(/_+$/, ""),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    security: SECURITY[doc.access],
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: !doc.bodyOptional,
            content: { "application/json": { schema: jsonSchemaOf(doc.body, "input") } },
          },
        }
      : {}),
    responses: responsesOf(doc),
  };
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, JsonSchema>>;
  components: JsonSchema;
  tags: { name: string }[];
}

export function buildOpenApiDocument(docs: RouteDocs = ROUTE_DOCS): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  const tags = new Set<string>();
  for (const [key, doc] of Object.entries(docs)) {
    const [method = "", path = ""] = key.split(" ");
    const item = paths[openApiPath(path)] ?? {};
    item[method.toLowerCase()] = operationOf(key, path, doc);
    paths[openApiPath(path)] = item;
    tags.add(doc.tag);
  }
  const errorBody = jsonSchemaOf(ErrorBody, "output");
  return {
    openapi: "3.1.0",
    info: {
      title: "Nightshift control plane API",
      version: VERSION,
      description:
        "Background coding agents, multi-tenant. Authenticate with an API key (`Authorization: Bearer nsk_...`, " +
        "made in Settings → API keys or by `nightshift login`) or a signed-in browser's session cookie. " +
        `Routes under /api/v1 without a tenant in the path act in the API key's tenant, or the one named by the ` +
        `\`${TENANT_HEADER}\` header. Every error answers with the ErrorBody shape and a stable code (${
          Object.keys(ERROR_TABLE).length
        } codes).`,
    },
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: { ErrorBody: errorBody },
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "an API key, nsk_..." },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "nightshift_session",
          description:
            "the dashboard's sign-in (`__Host-nightshift_session` over HTTPS); writes need a same-origin Origin",
        },
      },
    },
  };
}
