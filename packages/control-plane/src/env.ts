/** The Worker's bindings and typed Hono environment. */
import type { SessionAgent } from "./session/agent";

export interface Bindings {
  DB: D1Database;
  SESSION_AGENT: DurableObjectNamespace<SessionAgent>;
  ASSETS: Fetcher;
  NIGHTSHIFT_MODE: string;
  MAX_BODY_BYTES: string;
  /** The URL sandboxes use to reach this control plane (the bridge and /sandbox/git-credentials). */
  PUBLIC_URL?: string;
  /** Signs sandbox tokens (HS256); a Worker secret, at least 32 characters. */
  SANDBOX_TOKEN_SECRET?: string;
  /** Which SandboxProvider creates sandboxes: "local" (default). */
  SANDBOX_PROVIDER?: string;
  SANDBOX_HOST_URL?: string;
  SANDBOX_HOST_SECRET?: string;
}

export interface Actor {
  tenantId: string;
  userId: string;
  role: "owner" | "admin" | "member";
  name: string;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: { requestId: string; actor: Actor };
}
