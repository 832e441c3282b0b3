/**
 * The session's sandbox deadlines: `sandbox.start` launches an incarnation through the launcher
 * (and says what happened), `sandbox.terminate` ends it and gives the slot back. Both run on the
 * alarm, never inside the request that asked for them.
 */
import { type AgentEvent, BridgeCloseCode } from "@nightshift/protocol";
import type { SessionSlot } from "../capacity/session-slot";
import type { Bindings } from "../env";
import { createSandboxProvider } from "../providers/factory";
import { isolationRefusal } from "../sandbox-auth/isolation-policy";
import { egressPolicyFor } from "../services/settings";
import { warmSnapshotFor } from "../warm/warm-choice";
import { sandboxControlPlaneUrl } from "./bootstrap-env";
import type { SandboxBridge } from "./bridge";
import { LAUNCHING, type LifecycleInput } from "./lifecycle";
import type { MetaStore } from "./meta-store";
import { reportLaunch, SandboxLauncher } from "./sandbox-launcher";
import type { SessionSnapshots } from "./sandbox-snapshots";
import type { DeadlineWork, Scheduler } from "./scheduler";
import type { SessionMeta } from "./store";
import { IDLE_RELEASE_MS, type SessionTimeouts } from "./timeouts";

/** The launcher as the deployment configures it. */
export function sandboxLauncherFor(env: Bindings, meta: MetaStore): SandboxLauncher {
  return new SandboxLauncher(meta, {
    controlPlaneUrl: sandboxControlPlaneUrl(env),
    tokenSecret: env.SANDBOX_TOKEN_SECRET,
    provider: (meta) => createSandboxProvider(env, meta.sandboxProvider ?? undefined),
    egress: (meta) => egressPolicyFor(env, meta.tenantId),
    isolationRefusal: (isolation) => isolationRefusal(env, isolation),
    idleTimeoutSeconds: IDLE_RELEASE_MS / 1000,
    warmSnapshot: warmSnapshotFor(env),
    ...(env.NIGHTSHIFT_DEPLOYMENT ? { deployment: env.NIGHTSHIFT_DEPLOYMENT } : {}),
    now: Date.now,
  });
}

export interface SandboxRunParts {
  meta: () => SessionMeta;
  launcher: Pick<SandboxLauncher, "launch" | "terminate">;
  bridge: Pick<SandboxBridge, "beginIncarnation" | "endIncarnation" | "send">;
  timeouts: Pick<SessionTimeouts, "sandboxLaunched">;
  scheduler: Pick<Scheduler, "set" | "has" | "clear">;
  slot: Pick<SessionSlot, "providerFull" | "release" | "idleReason">;
  /** The session's provider snapshot: taken at the idle stop, created from on a resume. */
  snapshots: Pick<SessionSnapshots, "resumeRef" | "takeBeforeIdleStop" | "giveUp">;
  publish: (events: AgentEvent[]) => unknown;
  push: (input: LifecycleInput) => void;
}

export class SandboxRuns {
  constructor(private readonly parts: SandboxRunParts) {}

  /** The deadlines this part answers on the alarm. */
  deadlines(): DeadlineWork {
    return {
      "sandbox.start": () => this.start(),
      "turn.timeout": () => this.turnTimedOut(),
      "idle.stop": () => this.idleStop(this.parts.slot.idleReason()),
      "sandbox.terminate": () => this.release(),
    };
  }

  /** The `turn.timeout` deadline: the runtime cancels the turn, and the session says why. */
  turnTimedOut(): void {
    this.parts.bridge.send({ v: 1, type: "cancel" });
    const message = "the turn ran past its time limit and was cancelled";
    this.parts.publish([{ type: "error", code: "turn_timeout", message }]);
  }

  /** The `sandbox.start` deadline: a starting session gets a sandbox, a retry, or a reason why not. */
  async start(): Promise<void> {
    const { bridge, launcher, publish } = this.parts;
    const meta = this.parts.meta();
    if (!LAUNCHING.has(meta.status)) return;
    const fromSnapshot =
      meta.status === "resuming" ? (this.parts.snapshots.resumeRef() ?? undefined) : undefined;
    const outcome = await launcher.launch(meta, (hash) => bridge.beginIncarnation(hash), fromSnapshot);
    if (fromSnapshot && outcome.kind === "failed") {
      // Most likely the provider no longer has it: once, the branch and the conversation instead.
      this.parts.snapshots.giveUp(fromSnapshot, outcome.message);
      this.parts.scheduler.set("sandbox.start", Date.now());
      return;
    }
    const report = reportLaunch(outcome);
    publish(report.events);
    if (report.launched) this.parts.timeouts.sandboxLaunched();
    if (report.retryAt !== undefined) this.parts.scheduler.set("sandbox.start", report.retryAt);
    if (report.input) this.parts.push(report.input);
    if (outcome.kind === "full") publish(await this.parts.slot.providerFull());
  }

  /**
   * The `idle.stop` deadline: the idle sandbox is snapshotted (when its provider can; the log says
   * how that went), then stopped — unless a turn ran meanwhile (its own idle period follows).
   */
  async idleStop(idle: { reason?: string }): Promise<void> {
    const { stillIdle } = await this.parts.snapshots.takeBeforeIdleStop();
    if (stillIdle) this.parts.push({ kind: "idle.timeout", ...idle });
  }

  /**
   * A paused session resuming within the old sandbox's termination grace: end that sandbox now,
   * so its pending release cannot later end the new incarnation or give back the new slot.
   */
  async finishPendingRelease(): Promise<void> {
    if (!this.parts.scheduler.has("sandbox.terminate")) return;
    try {
      await this.release();
    } catch {
      // Only the pool's release can throw: the lease it keeps is ours, and the resume asks for it again.
    }
    this.parts.scheduler.clear("sandbox.terminate");
  }

  /** The `sandbox.terminate` deadline: the incarnation ends and its slot goes back to the pool. */
  async release(): Promise<void> {
    this.parts.bridge.endIncarnation(BridgeCloseCode.sessionEnded, "the session has ended");
    const problem = await this.parts.launcher.terminate();
    await this.parts.slot.release();
    if (problem)
      this.parts.publish([
        {
          type: "log",
          source: "sandbox",
          stream: "stderr",
          text: `could not terminate the sandbox: ${problem}\n`,
        },
      ]);
  }
}
