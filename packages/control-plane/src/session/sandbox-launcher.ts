/**
 * SandboxLauncher starts and ends sandbox incarnations through the SandboxProvider port. A
 * provider gets only the bootstrap variables (the control-plane URL, the session id and a
 * one-time bootstrap token bound to the new incarnation) plus labels: the runtime exchanges the
 * token for its environment (session/bootstrap-env.ts), so no secret, sandbox token or model key
 * is in a create request. Transient provider failures are retried with backoff; a provider that
 * is full is not a failure: the outcome says so and the session goes back in the slot queue.
 */

import {
  type AgentEvent,
  type BootstrapEnv,
  backoffDelay,
  type EgressPolicy,
  type SessionStatus,
} from "@nightshift/protocol";
import { ulid } from "ulid";
import type { CreateSandboxInput, SandboxHandle, SandboxProvider } from "../providers/provider";
import { SandboxProviderError } from "../providers/provider";
import { mintBootstrapToken } from "../sandbox-auth/bootstrap-token";
import { sha256Hex } from "../secrets/encoding";
import type { WarmChoice } from "../warm/warm-choice";
import type { LifecycleInput } from "./lifecycle";
import type { MetaStore } from "./meta-store";
import type { SessionMeta } from "./store";

const MAX_ATTEMPTS = 5;

export interface LauncherConfig {
  controlPlaneUrl: string;
  tokenSecret: string | undefined;
  /** The session's own provider (SessionMeta.sandboxProvider), never the tenant's current choice. */
  provider: (meta: Pick<SessionMeta, "sandboxProvider">) => SandboxProvider;
  /** The tenant's egress allow-list, sent with every create. */
  egress?: (meta: SessionMeta) => Promise<EgressPolicy>;
  /** Why a sandbox of this isolation must not be used here, or null (see sandbox-auth/isolation-policy). */
  isolationRefusal?: (isolation: string) => string | null;
  /** Seconds without a turn before the provider may stop the sandbox (Nightshift's idle policy). */
  idleTimeoutSeconds: number;
  /** The repository's fresh warm snapshot on the session's provider, if any (warm/warm-choice.ts). */
  warmSnapshot?: (meta: SessionMeta) => Promise<WarmChoice | null>;
  /** This deployment's name, labelled on every sandbox so a reconciler only touches its own. */
  deployment?: string;
  now: () => number;
}

export type LaunchOutcome =
  | {
      kind: "started";
      incarnationHash: string;
      isolation: string;
      warnings: string[];
      providerId: string;
      /** Set when the sandbox started from the repository's warm snapshot (built at this commit). */
      warmCommit?: string;
      /** The session's status when it launched (a warm start is announced in it). */
      status?: SessionStatus;
    }
  | { kind: "retry"; at: number; message: string }
  | { kind: "full"; message: string }
  | { kind: "failed"; message: string };

/** The labels every provider puts on the sandbox (and a reconciler matches on). */
export function sandboxLabels(
  meta: Pick<SessionMeta, "tenantId" | "sessionId">,
  incarnation: string,
  deployment?: string,
): Record<string, string> {
  return {
    "nightshift.tenant": meta.tenantId,
    "nightshift.session": meta.sessionId,
    "nightshift.incarnation": incarnation,
    ...(deployment ? { "nightshift.deployment": deployment } : {}),
  };
}

export class SandboxLauncher {
  constructor(
    private readonly meta: MetaStore,
    private readonly config: LauncherConfig,
  ) {}

  get providerId(): string | null {
    return this.meta.get("sandbox.provider_id");
  }

  /**
   * `beginIncarnation` runs before the provider is called: the runtime may dial in before create
   * returns. `fromSnapshot`: the provider snapshot to start from (sandbox-snapshots.ts).
   */
  async launch(
    meta: SessionMeta,
    beginIncarnation: (incarnationHash: string) => void,
    fromSnapshot?: string,
  ): Promise<LaunchOutcome> {
    if (!this.config.tokenSecret) {
      return {
        kind: "failed",
        message: "SANDBOX_TOKEN_SECRET is not set; make dev sets it, deployments need a secret",
      };
    }
    let egress: EgressPolicy | undefined;
    try {
      egress = await this.config.egress?.(meta);
    } catch (err) {
      const reason = err instanceof Error ? err.message : "unknown error";
      return { kind: "failed", message: `could not read the tenant's egress allow-list: ${reason}` };
    }
    const attempt = (this.meta.get("sandbox.launch_attempt") ?? 0) + 1;
    const incarnation = ulid().toLowerCase();
    // The sandbox token's jti, minted at the exchange; the DO keeps only its hash.
    const jti = `${incarnation}.${crypto.randomUUID()}`;
    try {
      const incarnationHash = await sha256Hex(jti);
      const { token } = await mintBootstrapToken(
        this.config.tokenSecret,
        { sessionId: meta.sessionId, tenantId: meta.tenantId, incarnation: jti, jti: crypto.randomUUID() },
        this.config.now(),
      );
      beginIncarnation(incarnationHash);
      const bootstrap: BootstrapEnv = {
        NIGHTSHIFT_CONTROL_PLANE_URL: this.config.controlPlaneUrl,
        NIGHTSHIFT_SESSION_ID: meta.sessionId,
        NIGHTSHIFT_BOOTSTRAP_TOKEN: token,
      };
      // A resume's own snapshot wins; otherwise the repository's warm snapshot, when fresh.
      const warm = fromSnapshot ? null : await this.warmChoice(meta);
      const { handle, warmCommit } = await this.createWarmOrCold(meta, warm, {
        tenantId: meta.tenantId,
        sessionId: meta.sessionId,
        incarnation,
        repo: meta.repo,
        branch: meta.branch,
        bootstrap,
        labels: sandboxLabels(meta, incarnation, this.config.deployment),
        ...(egress ? { egress } : {}),
        idleTimeoutSeconds: this.config.idleTimeoutSeconds,
        ...(fromSnapshot ? { fromSnapshot } : {}),
      });
      this.meta.set("sandbox.provider_id", handle.providerId);
      this.meta.set("sandbox.start", warmCommit ? "warm" : "cold");
      this.meta.set("sandbox.isolation", handle.isolation);
      const refusal = this.config.isolationRefusal?.(handle.isolation) ?? null;
      if (refusal) {
        this.meta.set("sandbox.launch_attempt", 0);
        const problem = await this.terminate();
        return {
          kind: "failed",
          message: problem ? `${refusal} (terminating it failed: ${problem})` : refusal,
        };
      }
      this.meta.set("sandbox.launch_attempt", 0);
      return {
        kind: "started",
        incarnationHash,
        isolation: handle.isolation,
        warnings: handle.warnings,
        providerId: handle.providerId,
        ...(warmCommit ? { warmCommit, status: meta.status } : {}),
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : "sandbox provider failed";
      const kind = err instanceof SandboxProviderError ? err.kind : "permanent";
      if (kind === "capacity") {
        this.meta.set("sandbox.launch_attempt", 0);
        return { kind: "full", message };
      }
      const transient = kind === "transient";
      if (transient && attempt < MAX_ATTEMPTS) {
        this.meta.set("sandbox.launch_attempt", attempt);
        const backoff = backoffDelay({ attempt, baseMs: 500, capMs: 30_000, jitter: "equal" });
        return { kind: "retry", at: this.config.now() + backoff, message };
      }
      this.meta.set("sandbox.launch_attempt", 0);
      return { kind: "failed", message };
    }
  }

  private async warmChoice(meta: SessionMeta): Promise<WarmChoice | null> {
    try {
      return (await this.config.warmSnapshot?.(meta)) ?? null;
    } catch {
      return null; // the registry unreadable: a cold start, as without warm start
    }
  }

  /**
   * Creates from the warm snapshot when there is one; a permanent refusal (the provider no longer
   * has it) marks the snapshot failed and creates cold, once. Other failures are the launch's.
   */
  private async createWarmOrCold(
    meta: SessionMeta,
    warm: WarmChoice | null,
    input: CreateSandboxInput,
  ): Promise<{ handle: SandboxHandle; warmCommit?: string }> {
    const provider = this.config.provider(meta);
    if (!warm) return { handle: await provider.create(input) };
    try {
      return { handle: await provider.create({ ...input, fromSnapshot: warm.ref }), warmCommit: warm.commit };
    } catch (err) {
      if (!(err instanceof SandboxProviderError) || err.kind !== "permanent") throw err;
      await warm.refused(err.message).catch(() => undefined);
      return { handle: await provider.create(input) };
    }
  }

  async terminate(): Promise<string | null> {
    const id = this.providerId;
    if (!id) return null;
    this.meta.delete("sandbox.provider_id");
    try {
      // The provider that created the sandbox: the session's, whatever the tenant chose since.
      await this.config.provider(this.meta.get("session.meta") ?? {}).terminate(id);
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : "terminate failed";
    }
  }
}

/** What a launch outcome means for the session: events to publish, a lifecycle input, or a retry time. */
export interface LaunchReport {
  events: AgentEvent[];
  input?: LifecycleInput;
  retryAt?: number;
  launched: boolean;
}

export function reportLaunch(outcome: LaunchOutcome): LaunchReport {
  const log = (stream: "stdout" | "stderr", text: string): AgentEvent => ({
    type: "log",
    source: "sandbox",
    stream,
    text: `${text}\n`,
  });
  switch (outcome.kind) {
    case "started": {
      const warm = outcome.warmCommit
        ? [`warm start: from the repository's prebuilt snapshot at ${outcome.warmCommit.slice(0, 12)}`]
        : [];
      const text = [`sandbox started (isolation: ${outcome.isolation})`, ...warm, ...outcome.warnings].join(
        "\n",
      );
      // A warm start is said in the status line too (its reason), where the dashboard shows it.
      const said: AgentEvent[] =
        outcome.warmCommit && outcome.status
          ? [{ type: "session.status", status: outcome.status, reason: `${warm[0]}; no clone` }]
          : [];
      return { events: [log("stdout", text), ...said], launched: true };
    }
    case "retry":
      return {
        events: [log("stderr", `retrying sandbox start: ${outcome.message}`)],
        retryAt: outcome.at,
        launched: false,
      };
    case "full":
      return {
        events: [log("stderr", `the sandbox provider is full; waiting for a free slot (${outcome.message})`)],
        input: { kind: "provider.full", reason: "the sandbox provider is full; waiting in line for a slot" },
        launched: false,
      };
    case "failed":
      return {
        events: [{ type: "error", code: "sandbox_start_failed", message: outcome.message }],
        input: { kind: "sandbox.failed", reason: outcome.message },
        launched: false,
      };
  }
}
