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
import { parseJsonBody, parseQuery } from "../http/validate";
import { getSessionUsage } from "../model-gateway/tenant-settings";
import { enforceRateLimit } from "../rate-limit/limiter";
import * as sessions from "../services/sessions";

/** Every prompt counts, a new session's first one included. */
const PROMPTS = { name: "promptTenant", bucket: "tenant" } as const;

const SessionId = z.string().regex(/^[0-9a-z]{26}$/);

function sessionIdParam(raw: string): string {
  if (!SessionId.safeParse(raw).success) throw AppError.sessionNotFound(raw.slice(0, 64));
  return raw;
}

export const sessionRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = await parseJsonBody(c, CreateSessionRequest);
    await enforceRateLimit(c.env, c.var.actor.tenantId, PROMPTS);
    // A browser session means the dashboard; a key means the HTTP API.
    const trigger = c.var.actor.via === "session" ? "web" : "api";
    const session = await sessions.createSession(c.env, c.var.actor, body, trigger);
    return c.json(session, 201, { location: `/api/v1/sessions/${session.id}` });
  })
  .get("/", async (c) => {
    const query = parseQuery(c, ListSessionsQuery);
    return c.json(await sessions.listTenantSessions(c.env, c.var.actor, query));
  })
  .get("/:id", async (c) => {
    return c.json(await sessions.getSession(c.env, c.var.actor, sessionIdParam(c.req.param("id"))));
  })
  .get("/:id/usage", async (c) => {
    return c.json(await getSessionUsage(c.env, c.var.actor, sessionIdParam(c.req.param("id"))));
  })
  .post("/:id/stop", async (c) => {
    return c.json(await sessions.stopSession(c.env, c.var.actor, sessionIdParam(c.req.param("id"))), 202);
  })
  .post("/:id/prompts", async (c) => {
    const id = sessionIdParam(c.req.param("id"));
    const body = await parseJsonBody(c, SendPromptRequest);
    await enforceRateLimit(c.env, c.var.actor.tenantId, PROMPTS);
    return c.json(await sessions.sendPrompt(c.env, c.var.actor, id, body.text), 202);
  })
  .get("/:id/events", async (c) => {
    const id = sessionIdParam(c.req.param("id"));
    const q = parseQuery(c, EventsPageQuery);
    return c.json(await sessions.readEventsPage(c.env, c.var.actor, id, q.after, q.limit));
  })
  .get("/:id/stream", async (c) => {
    const id = sessionIdParam(c.req.param("id"));
    parseQuery(c, StreamQuery);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new AppError("upgrade_required", "this endpoint speaks WebSocket; send 'Upgrade: websocket'");
    }
    return sessions.openStream(c.env, c.var.actor, id, c.req.raw);
  });
