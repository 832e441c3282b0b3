/**
 * SandboxLauncher starts and ends sandbox incarnations through the SandboxProvider port:
 * a fresh sandbox token per incarnation (only its jti hash is kept), the runtime's whole
 * environment (the repository's git-proxy URL and the sandbox paths included), and retries
 * with backoff for transient provider failures. A provider that is full is not a failure:
 * the outcome says so and the session goes back in the slot queue.
 */

import { type AgentEvent, backoffDelay, type EgressPolicy } from "@nightshift/protocol";
import { ulid } from "ulid";
import type { SandboxProvider } from "../providers/provider";
import { SandboxProviderError } from "../providers/provider";
import { mintSandboxToken, SANDBOX_TOKEN_TTL_SECONDS } from "../sandbox-auth/token";
import { sha256Hex } from "../secrets/encoding";
import type { LifecycleInput } from "./lifecycle";
import type { MetaStore } from "./meta-store";
import { sandboxRepoEnv } from "./sandbox-launcher-env";
import type { SessionMeta } from "./store";

const MAX_ATTEMPTS = 5;

export interface LauncherConfig {
  controlPlaneUrl: string;
  tokenSecret: string | undefined;
  provider: () => SandboxProvider;
  secrets: (meta: SessionMeta) => Promise<Record<string, string>>;
  /** The tenant's egress allow-list, sent with every create. */
  egress?: (meta: SessionMeta) => Promise<EgressPolicy>;
  /** Why a sandbox of this isolation must not be used here, or null (see sandbox-auth/isolation-policy). */
  isolationRefusal?: (isolation: string) => string | null;
  now: () => number;
}

export type LaunchOutcome =
  | { kind: "started"; incarnationHash: string; isolation: string; warnings: string[]; providerId: string }
  | { kind: "retry"; at: number; message: string }
  | { kind: "full"; message: string }
  | { kind: "failed"; message: string };

export class SandboxLauncher {
  constructor(
    private readonly meta: MetaStore,
    private readonly config: LauncherConfig,
  ) {}

  get providerId(): string | null {
    return this.meta.get("sandbox.provider_id");
  }

  /** `beginIncarnation` runs before the provider is called: the runtime may dial in before create returns. */
  async launch(
    meta: SessionMeta,
    beginIncarnation: (incarnationHash: string) => void,
  ): Promise<LaunchOutcome> {
    if (!this.config.tokenSecret) {
      return {
        kind: "failed",
        message: "SANDBOX_TOKEN_SECRET is not set; make dev sets it, deployments need a secret",
      };
    }
    let secrets: Record<string, string>;
    try {
      secrets = await this.config.secrets(meta);
    } catch (err) {
      const reason = err instanceof Error ? err.message : "unknown error";
      return { kind: "failed", message: `could not decrypt the session's secrets: ${reason}` };
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
    const jti = `${incarnation}.${crypto.randomUUID()}`;
    try {
      const incarnationHash = await sha256Hex(jti);
      beginIncarnation(incarnationHash);
      const token = await mintSandboxToken(
        this.config.tokenSecret,
        { sessionId: meta.sessionId, tenantId: meta.tenantId, jti },
        SANDBOX_TOKEN_TTL_SECONDS,
      );
      const env: Record<string, string> = {
        ...secrets,
        NIGHTSHIFT_SECRET_NAMES: Object.keys(secrets).join(","),
        NIGHTSHIFT_SESSION_ID: meta.sessionId,
        NIGHTSHIFT_CONTROL_PLANE_URL: this.config.controlPlaneUrl,
        NIGHTSHIFT_SANDBOX_TOKEN: token,
        // The git proxy's URL for the repository and the fixed paths: the provider adds nothing.
        ...sandboxRepoEnv(this.config.controlPlaneUrl, meta.repo),
        NIGHTSHIFT_BRANCH: meta.branch,
        ...(meta.baseBranch ? { NIGHTSHIFT_BASE_BRANCH: meta.baseBranch } : {}),
        NIGHTSHIFT_AGENT: meta.agent,
        ...(meta.model ? { NIGHTSHIFT_MODEL: meta.model } : {}),
      };
      const handle = await this.config.provider().create({
        sessionId: meta.sessionId,
        incarnation,
        repo: meta.repo,
        env,
        ...(egress ? { egress } : {}),
      });
      this.meta.set("sandbox.provider_id", handle.providerId);
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

  async terminate(): Promise<string | null> {
    const id = this.providerId;
    if (!id) return null;
    this.meta.delete("sandbox.provider_id");
    try {
      await this.config.provider().terminate(id);
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
      const text = [`sandbox started (isolation: ${outcome.isolation})`, ...outcome.warnings].join("\n");
      return { events: [log("stdout", text)], launched: true };
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
