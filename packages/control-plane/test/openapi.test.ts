/**
 * The OpenAPI description against the app's own route table (Hono's `app.routes`): a route
 * without a description, or a description without a route, fails here. Then the document itself:
 * well-formed OpenAPI 3.1, every operation with its error body, served publicly and cacheably.
 */
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { buildOpenApiDocument, openApiPath, ROUTE_DOCS } from "../src/openapi/document";
import { api } from "./helpers";

/** What the document covers: the whole /api/v1 API, the device sign-in and automations' inbound webhooks. */
const documented = (path: string) =>
  path.startsWith("/api/v1") || path.startsWith("/auth/device") || path.startsWith("/webhooks/in/");

const appRoutes = [
  ...new Set(
    createApp()
      .routes.filter((r) => r.method !== "ALL" && documented(r.path))
      .map((r) => `${r.method} ${r.path}`),
  ),
].sort();

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  requestBody?: unknown;
};

describe("the OpenAPI description", () => {
  it("describes every /api/v1 route, and describes no route the app does not have", () => {
    const described = new Set(Object.keys(ROUTE_DOCS));
    const undescribed = appRoutes.filter((r) => !described.has(r));
    expect(
      undescribed,
      "routes without an OpenAPI description: add them to a table in src/openapi/*-docs.ts",
    ).toEqual([]);
    const real = new Set(appRoutes);
    expect(
      Object.keys(ROUTE_DOCS).filter((k) => !real.has(k)),
      "descriptions of routes the app does not register (renamed or removed?)",
    ).toEqual([]);
    expect(appRoutes.length).toBeGreaterThan(60);
  });

  it("is OpenAPI 3.1 with every path parameter declared and the error body on every operation", () => {
    const doc = buildOpenApiDocument();
    expect(doc.openapi).toBe("3.1.0");
    const ids = new Set<string>();
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, raw] of Object.entries(item)) {
        const op = raw as Operation;
        operations += 1;
        const label = `${method.toUpperCase()} ${path}`;
        expect(ids.has(op.operationId), `${label}: duplicate operationId`).toBe(false);
        ids.add(op.operationId);
        const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        expect(declared.sort(), label).toEqual(inPath.sort());
        expect(op.responses["500"]?.content?.["application/json"]?.schema, label).toEqual({
          $ref: "#/components/schemas/ErrorBody",
        });
        const success = Object.keys(op.responses).filter((s) => Number(s) < 400);
        expect(success.length, `${label}: no success response`).toBeGreaterThan(0);
        if (op.requestBody) expect(op.responses["400"], `${label}: a body can be invalid`).toBeDefined();
      }
    }
    expect(operations).toBe(Object.keys(ROUTE_DOCS).length);
    // The schemas are the validators' own: the session body names its fields and refuses others.
    const create = doc.paths[openApiPath("/api/v1/sessions")]?.post as {
      requestBody: { content: { "application/json": { schema: Record<string, unknown> } } };
    };
    const body = create.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(expect.arrayContaining(["repo", "prompt"]));
    expect(body.additionalProperties).toBe(false);
    // Without a tenant in the path, the tenant header is named.
    const list = doc.paths["/api/v1/sessions"]?.get as Operation;
    expect(list.parameters?.map((p) => `${p.in}:${p.name}`)).toContain("header:x-nightshift-tenant");
  });

  it("is served at /api/v1/openapi.json without credentials, cacheable, with an ETag", async () => {
    const res = await api("/api/v1/openapi.json", {}, null);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const etag = res.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/v1/tenants/{tenantId}/api-keys"]).toBeDefined();
    const again = await api("/api/v1/openapi.json", { headers: { "if-none-match": etag } }, null);
    expect(again.status).toBe(304);
  });
});
