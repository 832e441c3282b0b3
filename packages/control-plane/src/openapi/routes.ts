/**
 * GET /api/v1/openapi.json: the API's OpenAPI 3.1 description. Public (it describes, it does not
 * reveal), built once per isolate, cacheable, with an ETag so a browser revalidates cheaply.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { sha256Hex } from "../secrets/encoding";
import { buildOpenApiDocument } from "./document";

let built: Promise<{ body: string; etag: string }> | undefined;

function documentOnce(): Promise<{ body: string; etag: string }> {
  built ??= (async () => {
    const body = JSON.stringify(buildOpenApiDocument());
    return { body, etag: `"${(await sha256Hex(body)).slice(0, 32)}"` };
  })().catch((error: unknown) => {
    // A failed build is not remembered: the next request tries again.
    built = undefined;
    throw error;
  });
  return built;
}

export const openApiRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const { body, etag } = await documentOnce();
  const headers = { "cache-control": "public, max-age=300", etag };
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
  return c.body(body, 200, { ...headers, "content-type": "application/json; charset=utf-8" });
});
