/**
 * /sandbox/model/<provider>/...: the model gateway (model-gateway/). Called by the runtime's relay
 * inside a sandbox with the sandbox token; answers in the provider's own wire format, errors too.
 */
import { ModelProvider } from "@nightshift/protocol";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { forwardModelCall } from "../model-gateway/forward";

const PREFIX = "/sandbox/model/";

export const sandboxModelRoutes = new Hono<AppEnv>().all("/:provider/*", async (c) => {
  const provider = ModelProvider.safeParse(c.req.param("provider"));
  if (!provider.success) {
    return c.json(
      { error: { message: `no model provider '${c.req.param("provider")}' (anthropic, openai, gemini)` } },
      404,
    );
  }
  const path = c.req.path.slice(PREFIX.length + provider.data.length);
  return forwardModelCall(c.env, (p) => c.executionCtx.waitUntil(p), provider.data, path, c.req.raw);
});
