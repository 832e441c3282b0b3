/** The Worker's bindings and typed Hono environment. */
import type { SessionAgent } from "./session/agent";

export interface Bindings {
  DB: D1Database;
  SESSION_AGENT: DurableObjectNamespace<SessionAgent>;
  ASSETS: Fetcher;
  NIGHTSHIFT_MODE: string;
  MAX_BODY_BYTES: string;
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
