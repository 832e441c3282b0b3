/**
 * SessionAgent: one Durable Object per session. A thin host that composes the store (SQLite),
 * the client hub (watchers' sockets), the scheduler (deadlines over the one alarm) and the
 * pure lifecycle. Every RPC names its tenant; a mismatch looks exactly like a missing session.
 */

import { DurableObject } from "cloudflare:workers";
import {
  AgentEvent,
  type AgentEventInput,
  type SessionStatus,
  StoredEvent,
  StreamQuery,
} from "@nightshift/protocol";
import { z } from "zod";
import { openDatabase } from "../db/client";
import { updateSession } from "../db/repositories/sessions";
import type { Bindings } from "../env";
import { ClientHub, readClientAttachment } from "./hub";
import { decide, type Effect, type LifecycleInput } from "./lifecycle";
import type { EventsPageResult, PromptAuthor, RpcResult, SessionInit, SessionSnapshot } from "./rpc-types";
import { Scheduler } from "./scheduler";
import { type SessionMeta, SessionStore } from "./store";

const MAX_APPEND_BATCH = 500;
const AppendBatch = z.array(AgentEvent).min(1).max(MAX_APPEND_BATCH);

export const INTERNAL_TENANT_HEADER = "x-nightshift-tenant";
export const INTERNAL_PARTICIPANT_HEADER = "x-nightshift-participant";

const notFound = { ok: false, code: "session_not_found", message: "session not found" } as const;

export class SessionAgent extends DurableObject<Bindings> {
  private readonly store: SessionStore;
  private readonly hub: ClientHub;
  private readonly scheduler: Scheduler;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.store = new SessionStore(ctx.storage.sql);
    this.hub = new ClientHub(ctx, this.store, { batchMs: 16, now: Date.now });
    this.scheduler = new Scheduler(this.store);
  }

  // --- RPC ------------------------------------------------------------------

  async initialize(init: SessionInit): Promise<RpcResult<{ status: SessionStatus }>> {
    const existing = this.store.getMeta();
    if (existing) {
      if (existing.tenantId !== init.tenantId) return notFound;
      return { ok: true, value: { status: existing.status } };
    }
    const meta: SessionMeta = {
      sessionId: init.sessionId,
      tenantId: init.tenantId,
      title: init.title,
      repo: init.repo,
      agent: init.agent,
      model: init.model,
      branch: init.branch,
      createdBy: init.createdBy,
      status: "queued",
    };
    this.store.putMeta(meta);
    this.publish([{ type: "session.status", status: "queued" }]);
    await this.acceptPrompt(init.prompt);
    return { ok: true, value: { status: this.meta().status } };
  }

  async snapshot(tenantId: string): Promise<RpcResult<SessionSnapshot>> {
    const meta = this.ownedMeta(tenantId);
    if (!meta) return notFound;
    return {
      ok: true,
      value: {
        status: meta.status,
        headSeq: this.store.headSeq,
        pendingPrompts: this.store.pendingPromptCount(),
        participants: this.hub.participants(),
      },
    };
  }

  async appendEvents(
    tenantId: string,
    events: AgentEventInput[],
  ): Promise<RpcResult<{ firstSeq: number; lastSeq: number }>> {
    if (!this.ownedMeta(tenantId)) return notFound;
    const parsed = AppendBatch.safeParse(events);
    if (!parsed.success) {
      return {
        ok: false,
        code: "invalid_request",
        message: parsed.error.issues[0]?.message ?? "invalid events",
      };
    }
    const rows = this.publish(parsed.data);
    return { ok: true, value: { firstSeq: rows[0]!.seq, lastSeq: rows[rows.length - 1]!.seq } };
  }

  async readEvents(tenantId: string, after: number, limit: number): Promise<RpcResult<EventsPageResult>> {
    if (!this.ownedMeta(tenantId)) return notFound;
    const rows = this.store.readAfter(after, limit + 1);
    const page = rows.slice(0, limit);
    const events = page.map((r) => StoredEvent.parse({ seq: r.seq, at: r.at, event: JSON.parse(r.data) }));
    return {
      ok: true,
      value: { events, nextAfter: page.at(-1)?.seq ?? after, hasMore: rows.length > limit },
    };
  }

  async enqueuePrompt(
    tenantId: string,
    prompt: { id: string; text: string; author: PromptAuthor },
  ): Promise<RpcResult<{ promptId: string; position: number }>> {
    const meta = this.ownedMeta(tenantId);
    if (!meta) return notFound;
    if (isClosed(meta.status)) {
      return {
        ok: false,
        code: "session_closed",
        message: `session is ${meta.status} and takes no more prompts`,
      };
    }
    const { position } = await this.acceptPrompt(prompt);
    return { ok: true, value: { promptId: prompt.id, position } };
  }

  async stop(tenantId: string): Promise<RpcResult<{ status: SessionStatus }>> {
    const meta = this.ownedMeta(tenantId);
    if (!meta) return notFound;
    await this.transition({ kind: "stop.requested" });
    return { ok: true, value: { status: this.meta().status } };
  }

  // --- sockets --------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const meta = this.store.getMeta();
    if (!meta || request.headers.get(INTERNAL_TENANT_HEADER) !== meta.tenantId) {
      return Response.json(
        { error: { code: "session_not_found", message: "session not found" } },
        { status: 404 },
      );
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(
        { error: { code: "invalid_request", message: "expected a WebSocket upgrade" } },
        { status: 426 },
      );
    }
    const url = new URL(request.url);
    const query = StreamQuery.safeParse(Object.fromEntries(url.searchParams));
    const after = query.success ? query.data.after : 0;
    const participantId = request.headers.get(INTERNAL_PARTICIPANT_HEADER) ?? "anonymous";
    const name = (query.success && query.data.name) || participantId;
    return this.hub.connect({ id: participantId, name }, after);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (readClientAttachment(ws)) this.hub.onMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    if (readClientAttachment(ws)) this.hub.onClose(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    if (readClientAttachment(ws)) this.hub.onClose(ws);
  }

  // --- alarm ----------------------------------------------------------------

  override async alarm(): Promise<void> {
    const due = this.scheduler.takeDue(Date.now());
    for (const name of due) {
      if (name === "sandbox.heartbeat") await this.transition({ kind: "sandbox.stale" });
    }
    await this.syncAlarm();
  }

  // --- internals ------------------------------------------------------------

  private meta(): SessionMeta {
    const meta = this.store.getMeta();
    if (!meta) throw new Error("session is not initialized");
    return meta;
  }

  private ownedMeta(tenantId: string): SessionMeta | null {
    const meta = this.store.getMeta();
    return meta && meta.tenantId === tenantId ? meta : null;
  }

  private publish(events: AgentEvent[]) {
    const at = new Date().toISOString();
    const rows = events.map((e) => this.store.append(e, at));
    this.hub.publish(rows);
    return rows;
  }

  private async acceptPrompt(prompt: { id: string; text: string; author: PromptAuthor }) {
    const result = this.store.enqueuePrompt({ ...prompt, createdAt: new Date().toISOString() });
    this.publish([{ type: "prompt", promptId: prompt.id, text: prompt.text, author: prompt.author.name }]);
    await this.transition({ kind: "prompt.enqueued" });
    return result;
  }

  private async transition(input: LifecycleInput): Promise<void> {
    const meta = this.meta();
    const next = decide(meta.status, input);
    if (next.status !== meta.status) {
      this.store.putMeta({ ...meta, status: next.status });
      this.publish([
        { type: "session.status", status: next.status, ...(next.reason ? { reason: next.reason } : {}) },
      ]);
      await updateSession(
        openDatabase(this.env.DB),
        meta.tenantId,
        meta.sessionId,
        { status: next.status },
        new Date().toISOString(),
      );
    }
    for (const effect of next.effects) this.runEffect(effect);
    await this.syncAlarm();
  }

  private runEffect(effect: Effect): void {
    switch (effect) {
      case "start-sandbox":
        // The provider is called from the alarm, never inside the request that queued the work.
        this.scheduler.set("sandbox.start", Date.now());
        return;
      case "cancel-turn":
      case "terminate-sandbox":
        this.store.cancelOpenPrompts();
        this.scheduler.clear("sandbox.start");
        this.scheduler.clear("sandbox.heartbeat");
        this.scheduler.clear("turn.timeout");
        return;
      case "dispatch-prompt":
        return;
    }
  }

  private async syncAlarm(): Promise<void> {
    const next = this.scheduler.nextWake();
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }
}

function isClosed(status: SessionStatus): boolean {
  return status === "stopped" || status === "completed" || status === "failed" || status === "stopping";
}
