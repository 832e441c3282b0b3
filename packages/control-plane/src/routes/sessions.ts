/** /api/v1/sessions: thin handlers, zod in, one service call, JSON out. */
import {
  CreateSessionRequest,
  EventsPageQuery,
  ListSessionsQuery,
  SendPromptRequest,
  StreamQuery,
} from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, paramsOf, queryOf } from "../http/validate";
import { getSessionUsage } from "../model-gateway/tenant-settings";
import { enforceRateLimit } from "../rate-limit/limiter";
import * as sessions from "../services/sessions";

/** Every prompt counts, a new session's first one included. */
const PROMPTS = { name: "promptTenant", bucket: "tenant" } as const;

/** A malformed id names no session: it gets the same 404 as an unknown one. */
const sessionParams = paramsOf(z.object({ id: z.string().regex(/^[0-9a-z]{26}$/) }), (raw) =>
  AppError.sessionNotFound(raw.id ?? ""),
);

export const sessionRoutes = new Hono<AppEnv>()
  .post("/", jsonBody(CreateSessionRequest), async (c) => {
    const body = c.req.valid("json");
    await enforceRateLimit(c.env, c.var.actor.tenantId, PROMPTS);
    // A browser session means the dashboard; a key means the HTTP API.
    const trigger = c.var.actor.via === "session" ? "web" : "api";
    const session = await sessions.createSession(c.env, c.var.actor, body, trigger);
    return c.json(session, 201, { location: `/api/v1/sessions/${session.id}` });
  })
  .get("/", queryOf(ListSessionsQuery), async (c) => {
    return c.json(await sessions.listTenantSessions(c.env, c.var.actor, c.req.valid("query")));
  })
  .get("/:id", sessionParams, async (c) => {
    return c.json(await sessions.getSession(c.env, c.var.actor, c.req.valid("param").id));
  })
  .get("/:id/usage", sessionParams, async (c) => {
    return c.json(await getSessionUsage(c.env, c.var.actor, c.req.valid("param").id));
  })
  .post("/:id/stop", sessionParams, async (c) => {
    return c.json(await sessions.stopSession(c.env, c.var.actor, c.req.valid("param").id), 202);
  })
  .post("/:id/prompts", sessionParams, jsonBody(SendPromptRequest), async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    await enforceRateLimit(c.env, c.var.actor.tenantId, PROMPTS);
    return c.json(await sessions.sendPrompt(c.env, c.var.actor, id, body.text), 202);
  })
  .get("/:id/events", sessionParams, queryOf(EventsPageQuery), async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    return c.json(await sessions.readEventsPage(c.env, c.var.actor, id, q.after, q.limit));
  })
  // The query is checked here; the session's DO reads it from the forwarded request.
  .get("/:id/stream", sessionParams, queryOf(StreamQuery), async (c) => {
    const { id } = c.req.valid("param");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new AppError("upgrade_required", "this endpoint speaks WebSocket; send 'Upgrade: websocket'");
    }
    return sessions.openStream(c.env, c.var.actor, id, c.req.raw);
  });
