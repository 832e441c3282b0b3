/**
 * SessionAgent: one Durable Object per session. A thin host that composes the store (SQLite),
 * the client hub (watchers), the sandbox bridge, the launcher (provider calls), the scheduler
 * (deadlines over the one alarm) and the pure lifecycle. Every RPC names its tenant; a
 * mismatch looks exactly like a missing session.
 */

import { DurableObject } from "cloudflare:workers";
import {
  AgentEvent,
  type AgentEventInput,
  BridgeCloseCode,
  type SessionStatus,
  StreamQuery,
  TERMINAL_STATUSES,
} from "@nightshift/protocol";
import { z } from "zod";
import { SessionSlot } from "../capacity/session-slot";
import { openDatabase } from "../db/client";
import type { Bindings } from "../env";
import { forwardedName } from "../http/forward-headers";
import { createSandboxProvider } from "../providers/factory";
import { isolationRefusal } from "../sandbox-auth/isolation-policy";
import { SessionEventMasker } from "../secrets/event-masker";
import { decryptSecretsForSandbox, decryptSecretsForSession, repoKeyOf } from "../secrets/sandbox-secrets";
import { egressPolicyFor } from "../services/settings";
import { presentedToken, readSandboxAttachment, SandboxBridge, tokenRenewal } from "./bridge";
import { readEventsPage } from "./event-pages";
import { type CredentialResult, GithubCredentials } from "./github-credentials";
import { ClientHub, readClientAttachment } from "./hub";
import {
  INTERNAL_INCARNATION_HEADER,
  INTERNAL_PARTICIPANT_HEADER,
  INTERNAL_PARTICIPANT_NAME_HEADER,
  INTERNAL_SOCKET_HEADER,
  INTERNAL_TENANT_HEADER,
} from "./internal-headers";
import { decide, type Effect, type LifecycleInput } from "./lifecycle";
import { NEVER_INITIALISED_REASON, type ReconcileRow } from "./reconciler";
import { type Revocation, revocationApplies } from "./revocation";
import type { EventsPageResult, NewPrompt, RpcResult, SessionInit, SessionSnapshot } from "./rpc-types";
import { RuntimeEventEffects } from "./runtime-events";
import { reportLaunch, SandboxLauncher } from "./sandbox-launcher";
import { Scheduler } from "./scheduler";
import { SessionGithub } from "./session-github";
import { type SessionMeta, SessionStore } from "./store";
import { IDLE_RELEASE_MS, SessionTimeouts } from "./timeouts";
import { SessionUpkeep } from "./upkeep";

const AppendBatch = z.array(AgentEvent).min(1).max(500);

const notFound = { ok: false, code: "session_not_found", message: "session not found" } as const;

export class SessionAgent extends DurableObject<Bindings> {
  private readonly store: SessionStore;
  private readonly hub: ClientHub;
  private readonly scheduler: Scheduler;
  private readonly bridge: SandboxBridge;
  private readonly launcher: SandboxLauncher;
  private readonly runtimeEvents: RuntimeEventEffects;
  private readonly eventMasker: SessionEventMasker;
  private readonly timeouts: SessionTimeouts;
  private readonly upkeep: SessionUpkeep;
  private inputs: LifecycleInput[] = [];
  private readonly githubCredentials: GithubCredentials;
  private readonly github: SessionGithub;
  /** The sandbox slot this session holds or waits for in its pool (capacity/slots.ts). */
  private readonly slot: SessionSlot;
  private slotRequested = false;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.store = new SessionStore(ctx.storage.sql);
    this.scheduler = new Scheduler(this.store);
    this.timeouts = new SessionTimeouts(this.scheduler, Date.now);
    const db = () => openDatabase(this.env.DB);
    this.upkeep = new SessionUpkeep(ctx.storage, this.store, this.scheduler, db, Date.now);
    this.hub = new ClientHub(ctx, this.store, { batchMs: 16, now: Date.now });
    // Decrypted on demand and kept in memory only: masks every secret of the session's repository.
    this.eventMasker = new SessionEventMasker(async () => {
      const meta = this.store.getMeta();
      if (!meta) return [];
      return Object.values(await decryptSecretsForSandbox(env, meta.tenantId, repoKeyOf(meta.repo)));
    });
    this.runtimeEvents = new RuntimeEventEffects(this.store, (events) => this.eventMasker.apply(events));
    this.githubCredentials = new GithubCredentials(env, Date.now);
    this.github = new SessionGithub(env, this.store, this.scheduler);
    this.bridge = new SandboxBridge(
      ctx,
      this.store,
      {
        onEvents: (events) => this.acceptRuntimeEvents(events),
        onReady: () => this.onSandboxReady(),
        onAlive: () => this.timeouts.sandboxAlive(),
      },
      tokenRenewal(env.SANDBOX_TOKEN_SECRET, () => this.store.getMeta(), Date.now),
    );
    this.slot = new SessionSlot(env, this.store, this.scheduler, IDLE_RELEASE_MS, Date.now);
    this.launcher = new SandboxLauncher(this.store, {
      controlPlaneUrl: env.SANDBOX_CONTROL_PLANE_URL ?? env.PUBLIC_URL ?? "http://127.0.0.1:8787",
      tokenSecret: env.SANDBOX_TOKEN_SECRET,
      provider: () => createSandboxProvider(env),
      // Decrypted only at launch, for the sandbox's environment; the runtime masks them in events.
      secrets: (meta) => decryptSecretsForSession(env, meta),
      egress: (meta) => egressPolicyFor(env, meta.tenantId),
      isolationRefusal: (isolation) => isolationRefusal(env, isolation),
      now: Date.now,
    });
  }

  async initialize(init: SessionInit): Promise<RpcResult<{ status: SessionStatus }>> {
    const existing = this.store.getMeta();
    if (existing) {
      return existing.tenantId === init.tenantId
        ? { ok: true, value: { status: existing.status } }
        : notFound;
    }
    const { prompt, ...rest } = init;
    this.store.putMeta({ ...rest, status: "queued" });
    this.upkeep.statusChanged("queued");
    this.publish([{ type: "session.status", status: "queued" }]);
    this.acceptPrompt(prompt);
    await this.settle();
    return { ok: true, value: { status: this.meta().status } };
  }

  /** The slot pool granted this session a slot: it starts, or says it no longer wants the slot. */
  async slotGranted(tenantId: string): Promise<boolean> {
    const meta = this.ownedMeta(tenantId);
    if (!meta || TERMINAL_STATUSES.has(meta.status) || meta.status === "stopping") return false;
    if (meta.status === "queued") this.inputs.push(this.slot.granted());
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

  async snapshot(tenantId: string): Promise<RpcResult<SessionSnapshot>> {
    const meta = this.ownedMeta(tenantId);
    if (!meta) return notFound;
    return {
      ok: true,
      value: {
        status: meta.status,
        headSeq: this.store.headSeq,
        pendingPrompts: this.store.pendingPromptCount(),
        queuePosition: this.slot.position(),
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
    return { ok: true, value: readEventsPage(this.store, after, limit) };
  }

  /** The cron sweep's repair of a session whose D1 row looks stuck (see reconciler.ts). */
  async reconcile(row: ReconcileRow): Promise<RpcResult<{ status: SessionStatus }>> {
    const existing = this.store.getMeta();
    if (existing && existing.tenantId !== row.tenantId) return notFound;
    if (!existing) {
      this.store.putMeta({ ...row, status: "failed" });
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
    if (!revoked) this.inputs.push({ kind: "stop.requested" });
    else if (revocationApplies(meta.github, revoked))
      this.inputs.push({ kind: "stop.requested", reason: revoked.reason });
    await this.settle();
    return { ok: true, value: { status: this.meta().status } };
  }

  /** For /sandbox/git-credentials: which repository the current incarnation may use. */
  async gitCredentialTarget(
    tenantId: string,
    incarnationHash: string,
  ): Promise<RpcResult<{ repo: SessionMeta["repo"] }>> {
    const meta = this.ownedMeta(tenantId);
    if (!meta) return notFound;
    if (TERMINAL_STATUSES.has(meta.status))
      return { ok: false, code: "session_closed", message: `the session is ${meta.status}` };
    if (!this.bridge.isCurrentIncarnation(incarnationHash)) return notFound;
    return { ok: true, value: { repo: meta.repo } };
  }

  /** For /sandbox/git-credentials on GitHub repositories: a cached token scoped to this session's repo. */
  async githubCredential(tenantId: string, incarnationHash: string): Promise<CredentialResult> {
    const target = await this.gitCredentialTarget(tenantId, incarnationHash);
    if (!target.ok)
      return target.code === "session_closed"
        ? { ok: false, code: "session_closed", status: 410, message: target.message }
        : { ok: false, code: "unauthorized", status: 401, message: target.message };
    return this.githubCredentials.issue(target.value.repo, this.meta().github ?? null);
  }

  override async fetch(request: Request): Promise<Response> {
    const meta = this.store.getMeta();
    if (!meta || request.headers.get(INTERNAL_TENANT_HEADER) !== meta.tenantId) {
      return Response.json(
        { error: { code: "session_not_found", message: "session not found" } },
        { status: 404 },
      );
    }
    if (request.headers.get(INTERNAL_SOCKET_HEADER) === "sandbox") {
      const open = !TERMINAL_STATUSES.has(meta.status);
      return this.bridge.connect(
        request.headers.get(INTERNAL_INCARNATION_HEADER) ?? "",
        open,
        presentedToken(request.headers),
      );
    }
    const query = StreamQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    const after = query.success ? query.data.after : 0;
    const participantId = request.headers.get(INTERNAL_PARTICIPANT_HEADER) ?? "anonymous";
    // Presence shows who is signed in, never a name the client picked in the query string.
    const name = forwardedName(request.headers.get(INTERNAL_PARTICIPANT_NAME_HEADER)) ?? participantId;
    return this.hub.connect({ id: participantId, name }, after);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (readClientAttachment(ws)) return this.hub.onMessage(ws, message);
    const sandbox = readSandboxAttachment(ws);
    if (sandbox) {
      // Events are masked synchronously as they are stored, so the values must be loaded first.
      if (!this.eventMasker.isReadyFor(sandbox.incarnationHash))
        await this.eventMasker.prepare(sandbox.incarnationHash);
      this.bridge.onMessage(ws, message);
      await this.bridge.renewTokenIfDue(ws);
      await this.settle();
    }
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    if (readClientAttachment(ws)) this.hub.onClose(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.webSocketClose(ws);
  }

  /** Runs due deadlines; one whose work throws stays and is retried with backoff (see Scheduler). */
  override async alarm(): Promise<void> {
    await this.upkeep.runDue({
      "sandbox.start": () => this.startSandbox(),
      "sandbox.heartbeat": () => {
        this.inputs.push({ kind: "sandbox.stale" });
      },
      "turn.timeout": () => {
        this.bridge.send({ v: 1, type: "cancel" });
        const message = "the turn ran past its time limit and was cancelled";
        this.publish([{ type: "error", code: "turn_timeout", message }]);
      },
      "idle.stop": () => {
        this.inputs.push({ kind: "idle.timeout", ...this.slot.idleReason() });
      },
      "sandbox.terminate": () => this.releaseSandbox(),
      "github.sync": () => this.github.flush(this.meta(), (events) => this.publish(events)),
      "index.sync": () => this.upkeep.index.retry(this.meta(), this.indexState()),
      "session.watchdog": () => this.repairStall(),
      "slot.renew": () => this.slot.renew(),
    });
    await this.settle();
  }

  private repairStall(): void {
    const input = this.upkeep.repairStall(
      this.meta().status,
      this.bridge.isConnected(),
      this.store.pendingPromptCount(),
    );
    if (input) this.inputs.push(input);
  }

  private indexState() {
    return { status: this.meta().status, costUsd: this.runtimeEvents.costUsd };
  }

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

  private acceptPrompt(prompt: NewPrompt) {
    const { github, ...queued } = prompt;
    const result = this.store.enqueuePrompt({ ...queued, createdAt: new Date().toISOString() });
    this.publish([{ type: "prompt", promptId: prompt.id, text: prompt.text, author: prompt.author.name }]);
    if (github) this.github.promptFromGithub(this.meta(), prompt.id, github, github.announce);
    this.inputs.push({ kind: "prompt.enqueued" });
    return result;
  }

  /** Called synchronously with fresh runtime events, before the bridge acks them. */
  private acceptRuntimeEvents(events: AgentEvent[]): void {
    const runningPromptId = this.store.runningPrompt()?.id ?? null;
    const { accepted, inputs } = this.runtimeEvents.apply(events);
    this.publish(accepted);
    this.github.onRuntimeEvents(this.meta(), accepted, runningPromptId);
    for (const input of inputs) {
      if (input.kind === "turn.ended") this.timeouts.turnEnded();
      this.inputs.push(input);
    }
  }

  private onSandboxReady(): void {
    // A prompt marked running while the runtime says it is idle never reached it: send it again.
    const running = this.store.runningPrompt();
    if (running) this.sendPrompt(running);
    this.inputs.push({ kind: "sandbox.ready" });
  }

  /** Applies queued lifecycle inputs in order, then sets the alarm and syncs the D1 index (see SessionUpkeep). */
  private async settle(): Promise<void> {
    const before = this.meta().status;
    while (this.inputs.length > 0 || this.slotRequested) {
      if (this.inputs.length === 0) {
        this.slotRequested = false;
        const step = await this.slot.request();
        this.publish(step.events);
        if (step.input) this.inputs.push(step.input);
        continue;
      }
      const input = this.inputs.shift()!;
      const meta = this.meta();
      const next = decide(meta.status, input);
      if (next.status !== meta.status) {
        this.store.putMeta({ ...meta, status: next.status });
        this.publish([
          { type: "session.status", status: next.status, ...(next.reason ? { reason: next.reason } : {}) },
        ]);
        this.timeouts.statusChanged(next.status);
        this.slot.statusChanged(next.status);
        this.upkeep.statusChanged(next.status);
        this.github.onStatus(meta, next.status, next.reason);
      }
      for (const effect of next.effects) this.runEffect(effect);
    }
    const changed = this.meta().status !== before || this.runtimeEvents.takeCostChange() !== null;
    await this.upkeep.afterSettle(this.meta(), this.indexState(), changed);
  }

  private runEffect(effect: Effect): void {
    switch (effect) {
      case "start-sandbox":
        // Provider calls happen in the alarm, never inside the request that queued the work.
        this.scheduler.set("sandbox.start", Date.now());
        return;
      case "dispatch-prompt": {
        if (this.store.runningPrompt()) return;
        const next = this.store.nextQueuedPrompt();
        if (!next) {
          this.inputs.push({ kind: "turn.ended", pendingPrompts: 0 });
          return;
        }
        if (this.sendPrompt(next)) this.store.setPromptState(next.id, "running");
        return;
      }
      case "cancel-turn":
        this.bridge.send({ v: 1, type: "cancel" });
        this.store.cancelOpenPrompts();
        return;
      case "request-slot":
        // Asked for in settle(), after the inputs before it: one pool call however many prompts.
        this.slotRequested = true;
        return;
      case "terminate-sandbox":
        this.bridge.send({ v: 1, type: "shutdown", reason: "the session ended" });
        this.timeouts.releaseSandboxSoon();
        return;
    }
  }

  private sendPrompt(prompt: Pick<NewPrompt, "id" | "text" | "author">): boolean {
    const sent = this.bridge.send({
      v: 1,
      type: "prompt",
      promptId: prompt.id,
      text: prompt.text,
      author: { name: prompt.author.name, email: prompt.author.email },
    });
    if (sent) this.timeouts.turnStarted();
    return sent;
  }

  private async startSandbox(): Promise<void> {
    const meta = this.meta();
    if (meta.status !== "starting") return;
    const outcome = await this.launcher.launch(meta, (hash) => this.bridge.beginIncarnation(hash));
    const report = reportLaunch(outcome);
    this.publish(report.events);
    if (report.launched) this.timeouts.sandboxLaunched();
    if (report.retryAt !== undefined) this.scheduler.set("sandbox.start", report.retryAt);
    if (report.input) this.inputs.push(report.input);
    if (outcome.kind === "full") this.publish(await this.slot.providerFull());
  }

  private async releaseSandbox(): Promise<void> {
    this.bridge.endIncarnation(BridgeCloseCode.sessionEnded, "the session has ended");
    const problem = await this.launcher.terminate();
    await this.slot.release();
    if (problem)
      this.publish([
        {
          type: "log",
          source: "sandbox",
          stream: "stderr",
          text: `could not terminate the sandbox: ${problem}\n`,
        },
      ]);
  }
}
