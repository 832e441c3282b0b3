/**
 * The SandboxProvider port: how a session gets a machine. One adapter per backend (the local
 * sandbox host, cloud backends such as Daytona and Modal); the DO only sees this interface. A
 * provider is handed only the bootstrap variables: the runtime fetches everything else itself.
 */
import { BootstrapEnv, EgressPolicy, type LocalRepository, RepoRef } from "@nightshift/protocol";
import { z } from "zod";

export interface CreateSandboxInput {
  tenantId: string;
  sessionId: string;
  incarnation: string;
  repo: RepoRef;
  /**
   * The session branch. Not a secret; the local host needs it to mirror a local repository, a
   * cloud provider may ignore it (the runtime learns the branch from the bootstrap exchange).
   */
  branch?: string;
  /**
   * The only variables a sandbox starts with: NIGHTSHIFT_CONTROL_PLANE_URL, NIGHTSHIFT_SESSION_ID
   * and NIGHTSHIFT_BOOTSTRAP_TOKEN (one-time, 15 min TTL; see protocol's BootstrapEnv). No secret,
   * no repository credential, no model key: the runtime exchanges the token for those.
   */
  bootstrap: Record<string, string>;
  /**
   * Labels every provider attaches to the sandbox (and the reconciler matches on):
   * nightshift.tenant, nightshift.session, nightshift.incarnation (+ nightshift.deployment when
   * configured). Never a secret.
   */
  labels: Record<string, string>;
  /** Hosts beyond the session's needs the sandbox may reach (the tenant's egress allow-list). */
  egress?: EgressPolicy;
  /** Nightshift's idle policy for the session (seconds without a turn before the sandbox may stop). */
  idleTimeoutSeconds: number;
  /**
   * Start from this snapshot (a reference `snapshot()` returned: a repository's warm snapshot, or the
   * session's own taken before its sandbox stopped) instead of the base image. Only for providers
   * that implement `snapshot`.
   */
  fromSnapshot?: string;
}

/** What a provider's `snapshot()` captured, as the provider names it. */
export interface SandboxSnapshot {
  /** Opaque to Nightshift; passed back as `CreateSandboxInput.fromSnapshot`. Never a secret. */
  ref: string;
  /** When the provider stops keeping it (ISO time), if it says. */
  expiresAt?: string;
}

export interface SandboxHandle {
  providerId: string;
  /** Human-readable isolation level, shown in the session ("bubblewrap", "process", "vm"...). */
  isolation: string;
  /** Caveats to show in the session, e.g. that the sandbox's network is not isolated. */
  warnings: string[];
}

export interface SandboxProvider {
  readonly name: string;
  create(input: CreateSandboxInput): Promise<SandboxHandle>;
  terminate(providerId: string): Promise<void>;
  /** Repositories on the provider's machine (the local host's root); absent where there are none. */
  listLocalRepositories?(): Promise<LocalRepository[]>;
  /**
   * Git smart HTTP against a session's local repository (the host's mirror of it), for the
   * Worker's git proxy; the answer is git's own, streamed. Absent where there are no local repos.
   */
  gitUpstream?(request: GitUpstreamRequest): Promise<Response>;
  /**
   * Captures a running sandbox's filesystem (the checkout, the setup hook's results, the agent's
   * saved conversation) so a later sandbox can start from it. Absent where the backend has none.
   * `owner`: the session the sandbox runs, which a provider names the snapshot after (so a sweep
   * can judge it) without asking the backend for the sandbox's labels.
   */
  snapshot?(
    providerId: string,
    purpose: "warm" | "resume",
    owner?: { sessionId: string },
  ): Promise<SandboxSnapshot>;
  /** Forgets a snapshot; a reference the backend no longer knows is not an error. */
  deleteSnapshot?(ref: string): Promise<void>;
}

export interface GitUpstreamRequest {
  sessionId: string;
  /** The incarnation the sandbox was created with (its token's jti up to the first '.'). */
  incarnation: string;
  endpoint: "info/refs" | "git-upload-pack" | "git-receive-pack";
  /** For info/refs: the service asked for. */
  service?: "git-upload-pack" | "git-receive-pack";
  method: "GET" | "POST";
  /** git's own headers (Content-Type, Accept, Git-Protocol, Content-Encoding), already filtered. */
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * Failures classified once: transient ones are retried with backoff, permanent ones fail the
 * session, and `capacity` (the provider is full) puts the session back in the slot queue.
 */
export class SandboxProviderError extends Error {
  constructor(
    message: string,
    readonly kind: "transient" | "permanent" | "capacity",
  ) {
    super(message);
    this.name = "SandboxProviderError";
  }
}

export function classifyHttpStatus(status: number): SandboxProviderError["kind"] {
  if (status === 429) return "capacity";
  return status === 408 || status === 425 || status === 429 || status >= 500 ? "transient" : "permanent";
}

const LabelKey = z.string().regex(/^[a-z0-9][a-z0-9._/-]{0,62}$/, "not a label name");

/** What every provider accepts (checkCreateInput); loose, so an adapter may take more. */
const CreateSandboxInputSchema = z.object({
  tenantId: z.string().min(1).max(100),
  sessionId: z.string().min(1).max(100),
  incarnation: z.string().min(1).max(100),
  repo: RepoRef,
  branch: z.string().min(1).max(255).optional(),
  // Strict: a provider refuses to carry anything but the bootstrap variables (a secret would be
  // stored in the provider's API, its dashboard, its logs).
  bootstrap: BootstrapEnv,
  labels: z.record(LabelKey, z.string().max(255)),
  egress: EgressPolicy.optional(),
  idleTimeoutSeconds: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600),
  fromSnapshot: z.string().min(1).max(255).optional(),
});

/**
 * Every provider checks its input before calling its backend: bad input is the caller's bug and
 * fails at once as permanent (never retried), whatever the backend would have said. The message
 * names the field, never a value (the bootstrap token is a credential).
 */
export function checkCreateInput(input: CreateSandboxInput): void {
  const parsed = CreateSandboxInputSchema.safeParse(input);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  throw new SandboxProviderError(
    `invalid sandbox request: ${issue?.path.join(".") || "input"}: ${issue?.message ?? "invalid"}`,
    "permanent",
  );
}

/** A backend's text with the provider's credentials cut out, for errors that quote what it said. */
export function withoutSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (secret ? out.replaceAll(secret, "[redacted]") : out), text);
}
