/**
 * The SandboxProvider port: how a session gets a machine. One adapter per backend (the local
 * sandbox host today; cloud backends such as Daytona and Modal are planned); the DO only sees
 * this interface.
 */
import type { EgressPolicy, LocalRepository, RepoRef } from "@nightshift/protocol";

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
