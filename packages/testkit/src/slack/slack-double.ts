/**
 * A Slack Web API double speaking Slack's wire format: POST /api/<method> with a bearer bot token,
 * JSON or form bodies, answers `{ok:true,…}`, failures as HTTP 200 `{ok:false,error}`, rate limits
 * as HTTP 429 with Retry-After. Methods: oauth.v2.access, auth.test, chat.postMessage,
 * chat.postEphemeral, chat.update, users.info, conversations.replies; and the install page a
 * browser is sent to (oauth-page.ts, through SLACK_WEB_URL). Tests steer and inspect it through
 * /_double/* (workspaces, OAuth codes, faults, messages). Reached through SLACK_API_URL.
 */
import { Hono } from "hono";
import { serveDouble } from "../serve-double";
import { mountOAuthPage } from "./oauth-page";
import { type Fault, SlackState, type WorkspaceFixture } from "./state";

export interface SlackDoubleOptions {
  clientId?: string;
  clientSecret?: string;
  workspaces?: WorkspaceFixture[];
}

export interface SlackDouble {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The Web API base URL to set as SLACK_API_URL. */
  apiUrl: string;
  state: SlackState;
  close(): Promise<void>;
}

type Body = Record<string, string>;

async function readArgs(req: Request): Promise<Body> {
  const type = req.headers.get("content-type") ?? "";
  const raw = await req.text();
  if (type.includes("application/json")) {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    const out: Body = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>))
      out[k] = typeof v === "string" ? v : JSON.stringify(v);
    return out;
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function faultResponse(fault: Fault): Response {
  if (fault.kind === "rate_limited")
    return Response.json(
      { ok: false, error: "ratelimited" },
      { status: 429, headers: { "retry-after": String(fault.retryAfterSeconds) } },
    );
  if (fault.kind === "http") return new Response("upstream trouble", { status: fault.status });
  return Response.json({ ok: false, error: fault.error });
}

export function slackDoubleApp(state: SlackState): Hono {
  const app = new Hono();
  const fail = (error: string) => Response.json({ ok: false, error });

  app.post("/api/:method", async (c) => {
    const method = c.req.param("method");
    state.calls.push({ method, at: Date.now() });
    const fault = state.takeFault(method);
    if (fault) return faultResponse(fault);
    let args: Body;
    try {
      args = await readArgs(c.req.raw);
    } catch {
      return fail("invalid_json");
    }
    if (method === "oauth.v2.access") {
      if (args.client_id !== state.clientId || args.client_secret !== state.clientSecret)
        return fail("invalid_client_id");
      const teamId = args.code ? state.codes.get(args.code) : undefined;
      if (!teamId || !args.code) return fail("invalid_code");
      state.codes.delete(args.code);
      const w = state.workspaces.get(teamId);
      if (!w) return fail("invalid_code");
      return c.json({
        ok: true,
        access_token: w.botToken,
        token_type: "bot",
        scope: "app_mentions:read,chat:write,im:history",
        bot_user_id: w.botUserId,
        app_id: "A0NIGHTSHIFT",
        team: { id: w.teamId, name: w.teamName },
        enterprise: null,
        is_enterprise_install: false,
      });
    }
    const token = (c.req.header("authorization") ?? "").replace(/^Bearer\s+/i, "");
    if (!token) return fail("not_authed");
    const w = state.workspaceByToken(token);
    if (!w) return fail("invalid_auth");
    switch (method) {
      case "auth.test":
        return c.json({
          ok: true,
          team: w.teamName,
          team_id: w.teamId,
          user_id: w.botUserId,
          bot_id: "B0BOT",
        });
      case "chat.postMessage":
      case "chat.postEphemeral": {
        if (!args.channel) return fail("channel_not_found");
        if (!args.text) return fail("no_text");
        const ts = state.nextTs();
        state.messages.push({
          channel: args.channel,
          ts,
          threadTs: args.thread_ts ?? null,
          text: args.text,
          edits: [],
          ephemeralTo: method === "chat.postEphemeral" ? (args.user ?? null) : null,
          teamId: w.teamId,
        });
        return method === "chat.postEphemeral"
          ? c.json({ ok: true, message_ts: ts })
          : c.json({
              ok: true,
              channel: args.channel,
              ts,
              message: { text: args.text, ts, user: w.botUserId },
            });
      }
      case "chat.update": {
        const message = state.messages.find(
          (m) => m.channel === args.channel && m.ts === args.ts && m.teamId === w.teamId,
        );
        if (!message) return fail("message_not_found");
        if (!args.text) return fail("no_text");
        message.edits.push(message.text);
        message.text = args.text;
        return c.json({ ok: true, channel: message.channel, ts: message.ts, text: message.text });
      }
      case "users.info": {
        const user = w.users?.find((u) => u.id === args.user);
        if (!user) return fail("user_not_found");
        return c.json({
          ok: true,
          user: { id: user.id, name: user.name, real_name: user.realName ?? user.name, team_id: w.teamId },
        });
      }
      case "conversations.replies": {
        if (!args.channel || !args.ts) return fail("thread_not_found");
        const messages = state
          .thread(args.channel, args.ts)
          .filter((m) => m.teamId === w.teamId && m.ephemeralTo === null)
          .map((m) => ({
            type: "message",
            text: m.text,
            ts: m.ts,
            thread_ts: m.threadTs ?? undefined,
            user: w.botUserId,
          }));
        return c.json({ ok: true, messages, has_more: false });
      }
      default:
        return fail("unknown_method");
    }
  });

  mountOAuthPage(app, state);

  // Steering and inspection, for tests only.
  app.post("/_double/workspaces", async (c) => {
    state.addWorkspace((await c.req.json()) as WorkspaceFixture);
    return c.json({ ok: true }, 201);
  });
  app.post("/_double/oauth-codes", async (c) => {
    const { teamId } = (await c.req.json()) as { teamId: string };
    return c.json({ code: state.issueCode(teamId) }, 201);
  });
  app.post("/_double/faults", async (c) => {
    state.faults.push((await c.req.json()) as Fault);
    return c.json({ ok: true }, 201);
  });
  app.get("/_double/messages", (c) => {
    const channel = c.req.query("channel");
    return c.json(channel ? state.messages.filter((m) => m.channel === channel) : state.messages);
  });
  app.get("/_double/calls", (c) => c.json(state.calls));
  return app;
}

export async function startSlackDouble(options: SlackDoubleOptions = {}): Promise<SlackDouble> {
  const state = new SlackState(
    options.clientId ?? "slack-client-id",
    options.clientSecret ?? "slack-client-secret",
  );
  for (const w of options.workspaces ?? []) state.addWorkspace(w);
  const app = slackDoubleApp(state);
  const served = await serveDouble({ fetch: (req) => app.fetch(req), shutdown: async () => {} });
  return { url: served.origin, apiUrl: `${served.origin}/api`, state, close: () => served.close() };
}
