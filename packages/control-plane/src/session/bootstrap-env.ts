/**
 * The session DO's side of the bootstrap exchange (`POST /sandbox/bootstrap`): a verified
 * bootstrap token becomes the runtime's whole environment, once. The token must name this
 * session's tenant and its current incarnation; its jti is spent in the DO's storage (kept, by
 * hash, until the token would have expired anyway, then pruned). The environment is built here,
 * at exchange time: the sandbox token is minted and the secrets decrypted only now, so neither
 * ever sits in a provider's create request.
 */
import { TERMINAL_STATUSES } from "@nightshift/protocol";
import type { Bindings } from "../env";
import type { VerifiedBootstrap } from "../sandbox-auth/bootstrap-token";
import { mintSandboxToken, SANDBOX_TOKEN_TTL_SECONDS } from "../sandbox-auth/token";
import { sha256Hex } from "../secrets/encoding";
import { decryptSecretsForSession } from "../secrets/sandbox-secrets";
import { resumeEnv } from "./conversation-store";
import type { MetaStore } from "./meta-store";
import { sandboxRepoEnv } from "./sandbox-launcher-env";
import type { SessionMeta } from "./store";

/**
 * More spent tokens than this in 15 minutes means something loops; the oldest are dropped first.
 * Dropping one cannot reopen it: only the current incarnation's token passes, and it is the newest.
 */
const MAX_SPENT = 200;

/** The URL sandboxes dial: SANDBOX_CONTROL_PLANE_URL, else PUBLIC_URL, else the local dev Worker. */
export function sandboxControlPlaneUrl(
  env: Pick<Bindings, "SANDBOX_CONTROL_PLANE_URL" | "PUBLIC_URL">,
): string {
  return env.SANDBOX_CONTROL_PLANE_URL ?? env.PUBLIC_URL ?? "http://127.0.0.1:8787";
}

/** The runtime's environment (RuntimeEnv names), exactly what the launcher used to put in the create request. */
export function buildRuntimeEnv(
  meta: SessionMeta,
  parts: { controlPlaneUrl: string; sandboxToken: string; secrets: Record<string, string> },
): Record<string, string> {
  return {
    ...parts.secrets,
    NIGHTSHIFT_SECRET_NAMES: Object.keys(parts.secrets).join(","),
    NIGHTSHIFT_SESSION_ID: meta.sessionId,
    NIGHTSHIFT_CONTROL_PLANE_URL: parts.controlPlaneUrl,
    NIGHTSHIFT_SANDBOX_TOKEN: parts.sandboxToken,
    // The git proxy's URL for the repository and the fixed paths: the provider adds nothing.
    ...sandboxRepoEnv(parts.controlPlaneUrl, meta.repo),
    NIGHTSHIFT_BRANCH: meta.branch,
    ...(meta.baseBranch ? { NIGHTSHIFT_BASE_BRANCH: meta.baseBranch } : {}),
    NIGHTSHIFT_AGENT: meta.agent,
    ...(meta.model ? { NIGHTSHIFT_MODEL: meta.model } : {}),
    // A warm-start prebuild: clone, run the setup hook, mark the workspace, report ready; no agent.
    ...(meta.prebuild ? { NIGHTSHIFT_PREBUILD: "1" } : {}),
  };
}

export type BootstrapRefusalCode = "unauthorized" | "bootstrap_token_used" | "session_ended" | "internal";

export type BootstrapExchangeResult =
  | { ok: true; env: Record<string, string> }
  | {
      ok: false;
      code: BootstrapRefusalCode;
      message: string;
      /** Set when the session itself cannot go on (its sandbox can never get an environment). */
      sessionFailure?: string;
    };

export interface BootstrapExchangeConfig {
  meta: MetaStore;
  isCurrentIncarnation(incarnationHash: string): boolean;
  tokenSecret: string | undefined;
  controlPlaneUrl: string;
  secrets(meta: SessionMeta): Promise<Record<string, string>>;
  now(): number;
}

type Refusal = Extract<BootstrapExchangeResult, { ok: false }>;

function refuse(code: BootstrapRefusalCode, message: string): Refusal {
  return { ok: false, code, message };
}

export class BootstrapExchange {
  constructor(private readonly config: BootstrapExchangeConfig) {}

  async exchange(claims: VerifiedBootstrap): Promise<BootstrapExchangeResult> {
    const spentKey = await sha256Hex(claims.jti);
    const incarnationHash = await sha256Hex(claims.incarnation);
    const early = this.check(claims, spentKey, incarnationHash);
    if (!early.ok) return early;
    if (!this.config.tokenSecret)
      return refuse("internal", "SANDBOX_TOKEN_SECRET is not set on this control plane");
    const meta = early.meta;
    let secrets: Record<string, string>;
    try {
      secrets = await this.config.secrets(meta);
    } catch (err) {
      const reason = `could not decrypt the session's secrets: ${err instanceof Error ? err.message : "unknown error"}`;
      return { ok: false, code: "internal", message: reason, sessionFailure: reason };
    }
    const sandboxToken = await mintSandboxToken(
      this.config.tokenSecret,
      { sessionId: meta.sessionId, tenantId: meta.tenantId, jti: claims.incarnation },
      SANDBOX_TOKEN_TTL_SECONDS,
    );
    // Checked again after the awaits, and spent in the same synchronous step: of two exchanges
    // racing with one token, exactly one gets the environment.
    const late = this.check(claims, spentKey, incarnationHash);
    if (!late.ok) return late;
    this.spend(spentKey, claims.expiresAt);
    return {
      ok: true,
      env: {
        ...buildRuntimeEnv(late.meta, {
          controlPlaneUrl: this.config.controlPlaneUrl,
          sandboxToken,
          secrets,
        }),
        // A follow-up woke a paused session: the runtime restores the agent's conversation first.
        ...resumeEnv(late.meta, this.config.meta.get("conversation.agent_session_id")),
      },
    };
  }

  private check(
    claims: VerifiedBootstrap,
    spentKey: string,
    incarnationHash: string,
  ): { ok: true; meta: SessionMeta } | Refusal {
    const meta = this.config.meta.get("session.meta");
    // Another tenant's token looks exactly like a token for a session that does not exist.
    if (!meta || meta.tenantId !== claims.tenantId || meta.sessionId !== claims.sessionId)
      return refuse("unauthorized", "this bootstrap token is not valid for any session");
    if (TERMINAL_STATUSES.has(meta.status) || meta.status === "stopping")
      return refuse("session_ended", `the session is ${meta.status}; its sandbox is not needed any more`);
    if (this.spentTokens()[spentKey] !== undefined)
      return refuse(
        "bootstrap_token_used",
        "this bootstrap token was already exchanged; a bootstrap token works once",
      );
    if (!this.config.isCurrentIncarnation(incarnationHash))
      return refuse("unauthorized", "this bootstrap token belongs to a sandbox the session has replaced");
    return { ok: true, meta };
  }

  private spentTokens(): Record<string, number> {
    return this.config.meta.get("bootstrap.spent") ?? {};
  }

  /** Remembers a spent token until it expires; expired entries are pruned on every write. */
  private spend(spentKey: string, expiresAt: number): void {
    const nowSeconds = Math.floor(this.config.now() / 1000);
    const live = Object.entries(this.spentTokens())
      .filter(([, expiry]) => expiry >= nowSeconds)
      .sort(([, a], [, b]) => a - b)
      .slice(-(MAX_SPENT - 1));
    this.config.meta.set("bootstrap.spent", Object.fromEntries([...live, [spentKey, expiresAt]]));
  }
}

/** The exchange as the deployment configures it. */
export function bootstrapExchangeFor(
  env: Bindings,
  meta: MetaStore,
  isCurrentIncarnation: (incarnationHash: string) => boolean,
): BootstrapExchange {
  return new BootstrapExchange({
    meta,
    isCurrentIncarnation,
    tokenSecret: env.SANDBOX_TOKEN_SECRET,
    controlPlaneUrl: sandboxControlPlaneUrl(env),
    // Decrypted only here, for the sandbox's environment; the runtime masks them in events.
    secrets: (session) => decryptSecretsForSession(env, session),
    now: Date.now,
  });
}
