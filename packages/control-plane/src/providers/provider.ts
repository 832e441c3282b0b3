/**
 * The SandboxProvider port: how a session gets a machine. One adapter per backend (the local
 * sandbox host today; cloud backends such as Daytona and Modal are planned); the DO only sees
 * this interface.
 */
import { EgressPolicy, type LocalRepository, RepoRef } from "@nightshift/protocol";
import { z } from "zod";

export interface CreateSandboxInput {
  sessionId: string;
  incarnation: string;
  repo: RepoRef;
  /** The runtime's environment (RuntimeEnv names), secrets included; never logged. */
  env: Record<string, string>;
  /** Hosts beyond the session's needs the sandbox may reach (the tenant's egress allow-list). */
  egress?: EgressPolicy;
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

/** What every provider accepts (checkCreateInput); loose, so an adapter may take more. */
const CreateSandboxInputSchema = z.object({
  sessionId: z.string().min(1).max(100),
  incarnation: z.string().min(1).max(100),
  repo: RepoRef,
  env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "not an environment variable name"), z.string()),
  egress: EgressPolicy.optional(),
});

/**
 * Every provider checks its input before calling its backend: bad input is the caller's bug and
 * fails at once as permanent (never retried), whatever the backend would have said. The message
 * names the field, never a value (env values are secrets).
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
