/** Shapes passed over DO RPC between the Worker and a SessionAgent. */
import type { Participant, RepoRef, SessionStatus, StoredEvent } from "@nightshift/protocol";

export interface SessionInit {
  sessionId: string;
  tenantId: string;
  title: string;
  repo: RepoRef;
  agent: string;
  model: string | null;
  branch: string;
  createdBy: string;
  prompt: { id: string; text: string; author: PromptAuthor };
}

export interface PromptAuthor {
  id: string;
  name: string;
  email: string;
}

export interface SessionSnapshot {
  status: SessionStatus;
  headSeq: number;
  pendingPrompts: number;
  participants: Participant[];
}

export interface EventsPageResult {
  events: StoredEvent[];
  nextAfter: number;
  hasMore: boolean;
}

export type RpcFailure = {
  ok: false;
  code: "session_not_found" | "session_closed" | "invalid_request";
  message: string;
};
export type RpcResult<T> = { ok: true; value: T } | RpcFailure;
