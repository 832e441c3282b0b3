/** Shapes passed over DO RPC between the Worker and a SessionAgent. */
import type { StoredEvent } from "@nightshift/protocol";
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
