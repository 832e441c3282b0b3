/**
 * The runtime's main loop: prepare the workspace and hooks, then take prompts one at a time.
 * Each prompt is one agent turn (`runTurn` from the agent layer), followed by git (commit and
 * push) and a `turn.end` event. This module owns `turn.end`: it is emitted after the push, so
 * the control plane never dispatches the next prompt, or opens a PR, before the branch is pushed;
 * a `turn.end` the agent layer emits is ignored. `cancel` aborts the running turn; `shutdown`
 * cancels, waits for the turn to wind down and for the buffer to be acked.
 */
import type { AgentEvent, AgentName } from "@nightshift/protocol";
import type { RunTurn, TurnResult } from "../agents/contract";
import type { InboundControl } from "../bridge/bridge-client";
import type { Emit } from "../events/event-sink";
import type { Logger } from "../log";
import type { Git } from "../workspace/git";
import type { WorkspaceResult } from "../workspace/prepare-workspace";
import { publishChanges } from "../workspace/publish-changes";

type PromptFrame = Extract<InboundControl, { type: "prompt" }>;

export interface SessionControllerOptions {
  agent: AgentName;
  model?: string | undefined;
  branch: string;
  workdir: string;
  maxTurns: number;
  turnTimeoutMs: number;
  /** The agent's private HOME, the same every turn (its session store lives there). */
  agentHome: string;
  /** The runtime's own directories (state, event buffer): hidden from the agent's inner sandbox. */
  hiddenPaths?: readonly string[];
  /** Environment for the agent CLI (model endpoint, keys, secrets); never the sandbox token. */
  agentEnv: Record<string, string>;
  emit: Emit;
  /** Releases streamed text held back for masking (see events/stream-events.ts) once its producer is done. */
  endStreams?(): void;
  waitForRoom(): Promise<void>;
  bridge: { setIdle(idle: boolean, announce?: boolean): void; flush(timeoutMs: number): Promise<boolean> };
  runTurn: RunTurn;
  /** The runtime's git for the clone (see workspace/git.ts: the clone's config is reset before each command). */
  git: Git;
  /** The session's repository URL: where the branch is pushed. */
  pushUrl: string;
  prepareWorkspace(): Promise<WorkspaceResult>;
  runHooks(): Promise<boolean>;
  mask(text: string): string;
  log: Logger;
  /**
   * The agent's conversation kept by the control plane (conversation/conversation-sync.ts), so the
   * session outlives this sandbox: saved after every turn (before its `turn.end`); `restore` is
   * given to a resumed sandbox and runs before `ready`, answering the CLI session id to resume.
   */
  conversation?: {
    save(agentSessionId: string | undefined): Promise<unknown>;
    restore?(): Promise<string | undefined>;
  };
  /** How long a cancelled turn may take to return before the loop moves on without it. */
  cancelGraceMs?: number;
  /** How long shutdown waits for the control plane to ack the last events. */
  flushTimeoutMs?: number;
}

interface RunningTurn {
  promptId: string;
  controller: AbortController;
  done: Promise<void>;
}

const RECENT_PROMPTS = 200;

export class SessionController {
  private ready = false;
  private stopping = false;
  private readonly queue: PromptFrame[] = [];
  private running: RunningTurn | null = null;
  private draining = false;
  private agentSessionId: string | undefined;
  private lastPushed: string | null = null;
  /** Prompt ids already taken, so a prompt the control plane resends after a reconnect runs once. */
  private readonly seenPrompts: string[] = [];

  constructor(private readonly options: SessionControllerOptions) {}

  get isBusy(): boolean {
    return this.running !== null;
  }

  /** Workspace, hooks, then `ready`. False when the sandbox cannot work (the reason was emitted). */
  async start(): Promise<boolean> {
    const workspace = await this.options.prepareWorkspace();
    if (!workspace.ok) return false;
    this.lastPushed = workspace.head;
    if (this.stopping) return false;
    const hooksOk = await this.options.runHooks();
    this.options.endStreams?.();
    if (!hooksOk) return false;
    if (this.stopping) return false;
    const restore = this.options.conversation?.restore;
    if (restore) this.agentSessionId = await restore();
    if (this.stopping) return false;
    this.ready = true;
    this.options.log.info("workspace ready; waiting for prompts");
    this.options.bridge.setIdle(this.queue.length === 0);
    void this.drain();
    return true;
  }

  handleControl(frame: InboundControl): void {
    switch (frame.type) {
      case "prompt":
        this.enqueue(frame);
        return;
      case "cancel":
        this.cancel(frame.promptId);
        return;
      case "shutdown":
        // main owns the process: it calls shutdown() and exits.
        return;
      case "error":
        this.options.log.warn(`the control plane reported ${frame.code}: ${frame.message}`);
        return;
    }
  }

  /** Cancels the running turn, waits for it to end, and (unless the bridge is gone) flushes the buffer. */
  async shutdown(reason: string, flush = true): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.options.log.info(`shutting down: ${reason}`);
    for (const prompt of this.queue.splice(0)) this.endTurn(prompt.promptId, "cancelled", 0, undefined);
    const running = this.running;
    if (running) {
      running.controller.abort(new Error(reason));
      await withTimeout(running.done, this.options.cancelGraceMs ?? 30_000);
    }
    if (!flush) return;
    const flushed = await this.options.bridge.flush(this.options.flushTimeoutMs ?? 10_000);
    if (!flushed)
      this.options.log.warn("some events were not acked before shutdown; they are lost with the sandbox");
  }

  private enqueue(frame: PromptFrame): void {
    if (this.seenPrompts.includes(frame.promptId)) {
      this.options.log.info(`prompt ${frame.promptId} was already taken; ignoring the repeat`);
      return;
    }
    this.seenPrompts.push(frame.promptId);
    if (this.seenPrompts.length > RECENT_PROMPTS) this.seenPrompts.shift();
    if (this.stopping) {
      this.endTurn(frame.promptId, "cancelled", 0, undefined);
      return;
    }
    this.queue.push(frame);
    this.options.bridge.setIdle(false);
    void this.drain();
  }

  private cancel(promptId: string | undefined): void {
    const queued = this.queue.findIndex((p) => promptId === undefined || p.promptId === promptId);
    if (queued >= 0 && (promptId !== undefined || !this.running)) {
      const [prompt] = this.queue.splice(queued, 1);
      if (prompt) this.endTurn(prompt.promptId, "cancelled", 0, undefined);
    }
    if (this.running && (promptId === undefined || this.running.promptId === promptId)) {
      this.options.log.info(`cancelling turn ${this.running.promptId}`);
      this.running.controller.abort(new Error("cancelled"));
    }
  }

  /** Runs queued prompts one after another; only one drain loop runs at a time. */
  private async drain(): Promise<void> {
    if (this.draining || !this.ready) return;
    this.draining = true;
    let ran = false;
    try {
      while (!this.stopping && this.queue.length > 0) {
        // Backpressure: a new turn waits while the unacked buffer is full.
        await this.options.waitForRoom();
        const prompt = this.queue.shift();
        if (!prompt || this.stopping) break;
        const controller = new AbortController();
        const done = this.runOne(prompt, controller);
        this.running = { promptId: prompt.promptId, controller, done };
        await done;
        this.running = null;
        ran = true;
      }
      // Idle again: said on the next reconnect. Not announced now, the turn.end already told the
      // control plane, and a `ready` now would only make it resend a prompt it just dispatched.
      if (ran && !this.stopping && this.queue.length === 0) this.options.bridge.setIdle(true, false);
    } finally {
      this.draining = false;
    }
  }

  private async runOne(prompt: PromptFrame, controller: AbortController): Promise<void> {
    const o = this.options;
    const started = Date.now();
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error("turn timed out"));
    }, o.turnTimeoutMs);
    const emitFromAgent: Emit = (event: AgentEvent) => {
      if (event.type === "turn.end") return; // ours, after git (see the header)
      o.emit(event);
    };
    let result: TurnResult;
    try {
      const turn = o.runTurn(
        o.agent,
        {
          promptId: prompt.promptId,
          text: prompt.text,
          cwd: o.workdir,
          home: o.agentHome,
          ...(o.hiddenPaths ? { hiddenPaths: [...o.hiddenPaths] } : {}),
          ...(o.model ? { model: o.model } : {}),
          ...(this.agentSessionId ? { resumeSessionId: this.agentSessionId } : {}),
          maxTurns: o.maxTurns,
          timeoutMs: o.turnTimeoutMs,
          env: o.agentEnv,
          signal: controller.signal,
        },
        emitFromAgent,
      );
      result = await untilSettledOrAbandoned(turn, controller.signal, o.cancelGraceMs ?? 30_000);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      o.emit({ type: "error", code: "agent_failed", message: `the ${o.agent} agent failed: ${message}` });
      result = {
        status: controller.signal.aborted ? "cancelled" : "failed",
        durationMs: Date.now() - started,
      };
    } finally {
      clearTimeout(limit);
    }
    if (timedOut) {
      o.emit({
        type: "error",
        code: "turn_timeout",
        message: `the turn ran longer than ${Math.round(o.turnTimeoutMs / 1000)} s and was stopped; split the task or raise the session's turn time limit`,
      });
      result = { ...result, status: "failed" };
    }
    if (result.agentSessionId) this.agentSessionId = result.agentSessionId;
    // Both before turn.end: once the control plane sees the turn end, the branch is pushed and a
    // lost sandbox loses nothing of the conversation. They share nothing (the clone vs the CLI's
    // HOME, and the CLI has exited), so they run side by side: the turn ends after the slower one.
    if (!this.stopping)
      await Promise.all([
        this.publish(prompt, result.summary),
        this.options.conversation?.save(this.agentSessionId),
      ]);
    this.endTurn(prompt.promptId, result.status, Date.now() - started, result.summary);
  }

  private async publish(prompt: PromptFrame, summary: string | undefined): Promise<void> {
    const result = await publishChanges({
      git: this.options.git,
      branch: this.options.branch,
      author: prompt.author,
      summary,
      promptText: prompt.text,
      lastPushed: this.lastPushed,
      pushUrl: this.options.pushUrl,
      emit: this.options.emit,
      log: this.options.log,
      mask: this.options.mask,
    });
    if (result.kind === "pushed") this.lastPushed = result.sha;
  }

  private endTurn(
    promptId: string,
    status: TurnResult["status"],
    durationMs: number,
    summary: string | undefined,
  ): void {
    this.options.emit({
      type: "turn.end",
      promptId,
      status,
      durationMs: Math.max(0, Math.round(durationMs)),
      ...(summary ? { summary: summary.slice(0, 20_000) } : {}),
    });
  }
}

/** The turn's result; when the turn was aborted and does not return within the grace, a cancelled result. */
function untilSettledOrAbandoned(
  turn: Promise<TurnResult>,
  signal: AbortSignal,
  graceMs: number,
): Promise<TurnResult> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    const started = Date.now();
    const onAbort = () => {
      timer = setTimeout(() => resolve({ status: "cancelled", durationMs: Date.now() - started }), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    turn.then(
      (value) => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
