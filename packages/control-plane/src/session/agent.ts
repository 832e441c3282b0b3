/**
 * SessionAgent: one Durable Object per session. A thin host that composes the store (SQLite),
 * the client hub (watchers), the sandbox bridge, the sandbox runs (provider calls), the scheduler
 * (deadlines over the one alarm) and the lifecycle driver (inputs through the pure lifecycle to
 * effects). Every RPC names its tenant; a mismatch looks exactly like a missing session.
 */

import { DurableObject } from "cloudflare:workers";
import { type AgentEvent, type SessionStatus, TERMINAL_STATUSES } from "@nightshift/protocol";
import { SessionBudget } from "../budgets/session-budget";
import { SessionSlot } from "../capacity/session-slot";
import { openDatabase } from "../db/client";
import type { Bindings } from "../env";
import type { GitAccess } from "../git-proxy/git-caller";
import { SessionIntegrations } from "../integrations/session-integrations";
import type { VerifiedBootstrap } from "../sandbox-auth/bootstrap-token";
import { sessionEventMaskerFor } from "../secrets/event-masker";
import { type PrebuildSession, prebuildSessionFor } from "../warm/prebuild-session";
import type { BootstrapExchangeResult } from "./bootstrap-env";
import { SandboxBridge, tokenRenewal } from "./bridge";
import type { SaveResult } from "./conversation-store";
import { readEventsPage } from "./event-pages";
import { ClientHub } from "./hub";
import { staleSandbox, WAITING_FOR_SLOT } from "./lifecycle";
import { LifecycleDriver } from "./lifecycle-driver";
import type { ModelCall, SessionUsageView } from "./model-calls";
import { NEVER_INITIALISED_REASON, type ReconcileRow } from "./reconciler";
import { type Revocation, revocationApplies } from "./revocation";
import type {
  EventsPageResult,
  LiveStatus,
  NewPrompt,
  RpcFailure,
  RpcResult,
  SandboxCallerInfo,
  SessionInit,
} from "./rpc-types";
import { RuntimeEventEffects } from "./runtime-events";
import { type SandboxAccess, SESSION_NOT_FOUND, sandboxAccessFor } from "./sandbox-access";
import type { SandboxLauncher } from "./sandbox-launcher";
import { SandboxRuns, sandboxLauncherFor } from "./sandbox-runs";
import { type SessionSnapshots, sessionSnapshotsFor } from "./sandbox-snapshots";
import { Scheduler } from "./scheduler";
import { routeSocket } from "./socket-routing";
import { SocketTraffic } from "./socket-traffic";
import { type SessionMeta, SessionStore } from "./store";
import { IDLE_RELEASE_MS, SessionTimeouts } from "./timeouts";
import { SessionUpkeep } from "./upkeep";

const notFound = SESSION_NOT_FOUND;

export class SessionAgent extends DurableObject<Bindings> {
  // Protected, not private: the test worker's subclass (test/support/test-session-agent.ts) reads them.
  protected readonly store: SessionStore;
  protected readonly hub: ClientHub;
  private readonly scheduler: Scheduler;
  protected readonly bridge: SandboxBridge;
  private readonly launcher: SandboxLauncher;
  private readonly runtimeEvents: RuntimeEventEffects;
  private readonly timeouts: SessionTimeouts;
  private readonly upkeep: SessionUpkeep;
  private readonly budget: SessionBudget;
  /** Replies to GitHub, Slack and Linear (integrations/session-integrations.ts). */
  private readonly integrations: SessionIntegrations;
  /** The sandbox slot this session holds or waits for in its pool (capacity/slots.ts). */
  protected readonly slot: SessionSlot;
  /** Queued lifecycle inputs and the effects they call for. */
  private readonly lifecycle: LifecycleDriver;
  private readonly sandboxRuns: SandboxRuns;
  /** The provider snapshot a resume starts from (sandbox-snapshots.ts). */
  private readonly snapshots: SessionSnapshots;
  /** A warm-start prebuild's snapshot and outcome (warm/prebuild-session.ts). */
  private readonly prebuild: PrebuildSession;
  /** The answers to the sandbox's HTTP calls: caller, bootstrap, git access, conversation. */
  private readonly sandboxAccess: SandboxAccess;
  private readonly sockets: SocketTraffic;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.store = new SessionStore(ctx.storage.sql);
    this.scheduler = new Scheduler(this.store);
    this.timeouts = new SessionTimeouts(this.scheduler, Date.now);
    const db = () => openDatabase(this.env.DB);
    this.upkeep = new SessionUpkeep(ctx.storage, this.store.meta, this.scheduler, db, Date.now);
    this.hub = new ClientHub(ctx, this.store, { batchMs: 16, now: Date.now });
    const eventMasker = sessionEventMaskerFor(env, () => this.store.meta.get("session.meta"));
    this.runtimeEvents = new RuntimeEventEffects(this.store, this.store.meta, (events) =>
      eventMasker.apply(events),
    );
    this.integrations = new SessionIntegrations(env, this.store.meta, this.scheduler, Date.now);
    this.bridge = new SandboxBridge(
      ctx,
      this.store.meta,
      {
        onEvents: (events) => this.acceptRuntimeEvents(events),
        onReady: (workspace) => {
          this.prebuild.workspaceReady(workspace);
          this.lifecycle.sandboxReady();
        },
        onAlive: () => this.timeouts.sandboxAlive(),
      },
      tokenRenewal(env.SANDBOX_TOKEN_SECRET, () => this.store.meta.get("session.meta"), Date.now),
    );
    this.sandboxAccess = sandboxAccessFor(env, ctx.storage.sql, this.store.meta, (hash) =>
      this.bridge.isCurrentIncarnation(hash),
    );
    this.slot = new SessionSlot(env, this.store.meta, this.scheduler, IDLE_RELEASE_MS, Date.now);
    this.launcher = sandboxLauncherFor(env, this.store.meta);
    const publish = (events: AgentEvent[]) => this.publish(events);
    this.snapshots = sessionSnapshotsFor(env, { meta: this.store.meta, scheduler: this.scheduler, publish });
    this.prebuild = prebuildSessionFor(env, this.store.meta, this.scheduler, publish, (input) =>
      this.lifecycle.push(input),
    );
    this.lifecycle = new LifecycleDriver({
      store: this.store,
      bridge: this.bridge,
      scheduler: this.scheduler,
      timeouts: this.timeouts,
      slot: this.slot,
      publish,
      finishRelease: () => this.sandboxRuns.finishPendingRelease(),
      statusChanged: (before, status, reason) => {
        this.timeouts.statusChanged(status);
        this.slot.statusChanged(status);
        this.upkeep.statusChanged(status);
        this.budget.statusChanged(before, status);
        this.integrations.onStatus(before, status, reason);
        this.prebuild.statusChanged(status, reason);
        this.snapshots.statusChanged(status);
      },
      now: Date.now,
    });
    this.budget = new SessionBudget(db, this.scheduler, ctx.storage.sql, publish, (input) =>
      this.lifecycle.push(input),
    );
    this.sandboxRuns = new SandboxRuns({
      meta: () => this.meta(),
      launcher: this.launcher,
      bridge: this.bridge,
      timeouts: this.timeouts,
      scheduler: this.scheduler,
      slot: this.slot,
      snapshots: this.snapshots,
      publish,
      push: (input) => this.lifecycle.push(input),
    });
    const { hub, bridge, store, timeouts } = this;
    const settle = () => this.settle();
    const runs = this.sandboxRuns;
    this.sockets = new SocketTraffic({ hub, bridge, eventMasker, store, timeouts, runs, settle });
  }

  async initialize(init: SessionInit): Promise<RpcResult<{ status: SessionStatus }>> {
    const existing = this.store.meta.get("session.meta");
    if (existing) {
      return existing.tenantId === init.tenantId
        ? { ok: true, value: { status: existing.status } }
        : notFound;
    }
    const { prompt, notice, ...rest } = init;
    this.store.meta.set("session.meta", { ...rest, status: "queued" });
    this.upkeep.statusChanged("queued");
    this.publish([{ type: "session.status", status: "queued" }]);
    if (notice) this.publish([{ type: "log", source: "nightshift", stream: "stderr", text: notice }]);
    // Only a warm-start prebuild has no prompt: it asks for a sandbox all the same.
    if (prompt) this.acceptPrompt(prompt);
    else this.lifecycle.push({ kind: "prompt.enqueued" });
    await this.settle();
    return { ok: true, value: { status: this.meta().status } };
  }

  /** The slot pool granted this session a slot: it starts, or says it no longer wants the slot. */
  async slotGranted(tenantId: string): Promise<boolean> {
    const meta = this.ownedMeta(tenantId);
    if (!meta || TERMINAL_STATUSES.has(meta.status) || meta.status === "stopping") return false;
    if (WAITING_FOR_SLOT.has(meta.status)) this.lifecycle.push(this.slot.granted());
    await this.settle();
    return true;
  }

  /** The slot pool says whether another session waits for this one's slot. */
  async slotWanted(tenantId: string, wanted: boolean): Promise<void> {
    if (!this.ownedMeta(tenantId)) return;
    this.slot.wanted(wanted);
    await this.settle();
  }

  /** The slot pool moved this session in its line. */
  async slotQueuePosition(tenantId: string, position: number): Promise<void> {
    if (this.ownedMeta(tenantId)) this.publish(this.slot.moveTo(position));
  }

  /** What the D1 index shows, as it is now (the index may lag a moment), and while queued the place in line. */
  async liveStatus(tenantId: string): Promise<RpcResult<LiveStatus>> {
    if (!this.ownedMeta(tenantId)) return notFound;
    return { ok: true, value: { ...this.indexState(), queuePosition: this.slot.position() } };
  }

  async readEvents(tenantId: string, after: number, limit: number): Promise<RpcResult<EventsPageResult>> {
    if (!this.ownedMeta(tenantId)) return notFound;
    return { ok: true, value: readEventsPage(this.store, after, limit) };
  }

  /** The cron sweep's repair of a session whose D1 row looks stuck (see reconciler.ts). */
  async reconcile(row: ReconcileRow): Promise<RpcResult<{ status: SessionStatus }>> {
    const existing = this.store.meta.get("session.meta");
    if (existing && existing.tenantId !== row.tenantId) return notFound;
    if (!existing) {
      this.store.meta.set("session.meta", { ...row, status: "failed" });
      this.publish([{ type: "session.status", status: "failed", reason: NEVER_INITIALISED_REASON }]);
    } else this.repairStall();
    await this.settle();
    await this.upkeep.index.write(this.meta(), this.indexState());
    return { ok: true, value: { status: this.meta().status } };
  }

  async enqueuePrompt(
    tenantId: string,
    prompt: NewPrompt,
  ): Promise<RpcResult<{ promptId: string; position: number }>> {
    const meta = this.ownedMeta(tenantId);
    if (!meta) return notFound;
    const capped = this.budget.promptRefusal(meta);
    if (capped) return capped;
    if (TERMINAL_STATUSES.has(meta.status) || meta.status === "stopping") {
      return {
        ok: false,
        code: "session_closed",
        message: `session is ${meta.status} and takes no more prompts`,
      };
    }
    const { position } = this.acceptPrompt(prompt);
    await this.settle();
    return { ok: true, value: { promptId: prompt.id, position } };
  }

  /** `revoked`: access was withdrawn; the session stops if the revocation covers it (revocation.ts). */
  async stop(tenantId: string, revoked?: Revocation): Promise<RpcResult<{ status: SessionStatus }>> {
    const meta = this.ownedMeta(tenantId);
    if (!meta) return notFound;
    if (!revoked) this.lifecycle.push({ kind: "stop.requested" });
    else if (revocationApplies(meta.github, revoked))
      this.lifecycle.push({ kind: "stop.requested", reason: revoked.reason });
    await this.settle();
    return { ok: true, value: { status: this.meta().status } };
  }

  /** The model gateway (model-gateway/forward.ts) reports one forwarded call of this session. */
  async recordModelCall(tenantId: string, call: ModelCall): Promise<RpcResult<null>> {
    const meta = this.ownedMeta(tenantId);
    const result = meta ? this.budget.recordCall(meta, call) : notFound;
    if (meta) await this.settle();
    return result;
  }

  /** The session's gateway calls: its spend (the session cap) and GET /sessions/:id/usage. */
  async modelUsage(tenantId: string): Promise<RpcResult<SessionUsageView>> {
    const meta = this.ownedMeta(tenantId);
    return meta ? { ok: true, value: this.budget.usage(meta) } : notFound;
  }

  /** For sandbox-auth/sandbox-caller.ts (model gateway): who the current incarnation acts for. */
  async sandboxCaller(tenantId: string, incarnationHash: string): Promise<RpcResult<SandboxCallerInfo>> {
    return this.sandboxAccess.caller(tenantId, incarnationHash);
  }

  /** POST /sandbox/bootstrap (routes/sandbox-bootstrap.ts): the current incarnation's environment, once per token. */
  async exchangeBootstrap(claims: VerifiedBootstrap): Promise<BootstrapExchangeResult> {
    const result = await this.sandboxAccess.exchangeBootstrap(claims);
    if (!result.ok && result.sessionFailure) {
      // The sandbox can never get its environment: the session fails as a launch would have.
      this.publish([{ type: "error", code: "sandbox_start_failed", message: result.sessionFailure }]);
      this.lifecycle.push({ kind: "sandbox.failed", reason: result.sessionFailure });
      await this.settle();
    }
    return result;
  }

  /** For the git proxy (git-proxy/git-caller.ts): the caller and, for its own GitHub repository, a token. */
  async gitAccess(tenantId: string, incarnationHash: string, repo: string): Promise<RpcResult<GitAccess>> {
    return this.sandboxAccess.gitAccess(tenantId, incarnationHash, repo);
  }

  /** PUT /sandbox/conversation (routes/sandbox-conversation.ts). */
  async saveConversation(
    tenantId: string,
    incarnationHash: string,
    archive: Uint8Array,
    agentSessionId: string | null,
  ): Promise<SaveResult | RpcFailure> {
    return this.sandboxAccess.saveConversation(tenantId, incarnationHash, archive, agentSessionId);
  }

  /** GET /sandbox/conversation: the saved conversation (null when none), for a resumed sandbox. */
  async loadConversation(
    tenantId: string,
    incarnationHash: string,
  ): Promise<RpcResult<Uint8Array<ArrayBuffer> | null>> {
    return this.sandboxAccess.loadConversation(tenantId, incarnationHash);
  }

  /** WebSocket upgrades only: the sandbox's bridge or a client's stream (socket-routing.ts). */
  override async fetch(request: Request): Promise<Response> {
    return routeSocket(request, this.store.meta.get("session.meta"), { bridge: this.bridge, hub: this.hub });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.sockets.message(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    await this.sockets.close(ws, code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.sockets.close(ws);
  }

  /** Runs due deadlines; one whose work throws stays and is retried with backoff (see Scheduler). */
  override async alarm(): Promise<void> {
    await this.upkeep.runDue({
      ...this.sandboxRuns.deadlines(),
      "sandbox.heartbeat": () => this.lifecycle.push(staleSandbox(this.store)),
      "snapshot.delete": () => this.snapshots.deleteDoomed(),
      "warm.prebuild": () => this.prebuild.finish(),
      ...this.integrations.deadlines(
        () => this.meta(),
        (events) => this.publish(events),
      ),
      "index.sync": () => this.upkeep.index.retry(this.meta(), this.indexState()),
      "session.watchdog": () => this.repairStall(),
      "slot.renew": () => this.slot.renew(),
      ...this.budget.deadlines(() => this.meta()),
    });
    await this.settle();
  }

  private repairStall(): void {
    const input = this.upkeep.repairStall(
      this.meta().status,
      this.bridge.isConnected(),
      this.store.pendingPromptCount(),
    );
    if (input) this.lifecycle.push(input);
  }

  private indexState() {
    return this.upkeep.index.current(this.meta(), this.runtimeEvents.costUsd);
  }

  private meta(): SessionMeta {
    const meta = this.store.meta.get("session.meta");
    if (!meta) throw new Error("session is not initialized");
    return meta;
  }

  protected ownedMeta(tenantId: string): SessionMeta | null {
    const meta = this.store.meta.get("session.meta");
    return meta && meta.tenantId === tenantId ? meta : null;
  }

  protected publish(events: AgentEvent[]) {
    const at = new Date().toISOString();
    const rows = events.map((e) => this.store.append(e, at));
    this.hub.publish(rows);
    return rows;
  }

  private acceptPrompt(prompt: NewPrompt) {
    const { github: _reply, ...queued } = prompt;
    const result = this.store.enqueuePrompt({ ...queued, createdAt: new Date().toISOString() });
    this.publish([{ type: "prompt", promptId: prompt.id, text: prompt.text, author: prompt.author.name }]);
    this.integrations.promptAccepted(this.meta(), prompt);
    this.lifecycle.push({ kind: "prompt.enqueued", fromSnapshot: this.snapshots.resumeRef() !== null });
    return result;
  }

  /** Called synchronously with fresh runtime events, before the bridge acks them. */
  private acceptRuntimeEvents(events: AgentEvent[]): void {
    const runningPromptId = this.store.runningPrompt()?.id ?? null;
    const { accepted, inputs } = this.runtimeEvents.apply(events);
    this.publish(accepted);
    this.integrations.onRuntimeEvents(this.meta(), accepted, runningPromptId);
    for (const input of inputs) {
      if (input.kind === "turn.ended") this.timeouts.turnEnded();
      this.lifecycle.push(input);
    }
  }

  /** Applies queued lifecycle inputs (lifecycle-driver.ts), then sets the alarm and syncs the D1 index (upkeep.ts). */
  private async settle(): Promise<void> {
    const before = this.meta().status;
    await this.lifecycle.drain();
    const status = this.meta().status !== before;
    const cost = this.runtimeEvents.takeCostChange() !== null;
    await this.upkeep.afterSettle(this.meta(), this.indexState(), { status, cost });
  }
}
