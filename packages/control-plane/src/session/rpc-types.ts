/** Shapes passed over DO RPC between the Worker and a SessionAgent. */
import type { SessionStatus, StoredEvent } from "@nightshift/protocol";
import type { GithubReply } from "./meta-keys";
import type { SessionMeta } from "./store";

/**
 * What a session starts with: its metadata (the DO sets the status) and the first prompt, which
 * only a warm-start prebuild (`prebuild: true`) goes without.
 */
export type SessionInit = Omit<SessionMeta, "status"> & {
  prompt?: NewPrompt;
  /** Shown once at the top of the timeline (a budget warning); not kept in the session's metadata. */
  notice?: string;
};

/** A prompt to queue; `github` says where on GitHub to answer when its turn ends. */
export interface NewPrompt {
  id: string;
  text: string;
  author: PromptAuthor;
  github?: GithubReply & { announce: boolean };
}

export interface PromptAuthor {
  id: string;
  name: string;
  email: string;
}

export interface EventsPageResult {
  events: StoredEvent[];
  nextAfter: number;
  hasMore: boolean;
}

export type RpcFailure = {
  ok: false;
  code: "session_not_found" | "session_closed" | "invalid_request" | "budget_exhausted";
  message: string;
};
export type RpcResult<T> = { ok: true; value: T } | RpcFailure;

/** What the session DO tells a sandbox-facing route about the current incarnation's session. */
export interface SandboxCallerInfo {
  userId: string;
  repo: SessionMeta["repo"];
  branch: string;
  agent: string;
  model: string | null;
  allowForcePush: boolean;
}

/** A session's status, cost and sandbox as its DO knows them now (the D1 index may lag a moment). */
export interface LiveStatus {
  status: SessionStatus;
  costUsd: number;
  sandboxIsolation?: string | null;
  sandboxStart?: "warm" | "cold" | null;
  /** While queued for a sandbox slot: the place in line (1 = next). */
  queuePosition: number | null;
}
