/**
 * What the session's current sandbox incarnation may do through the Worker's sandbox routes (model
 * gateway, git proxy, conversation storage): pure checks over the session's meta, so the DO's RPCs
 * stay one line each. An unknown tenant or a superseded incarnation is "not found", never a hint.
 */
import { TERMINAL_STATUSES } from "@nightshift/protocol";
import type { RpcResult, SandboxCallerInfo } from "./rpc-types";
import type { SessionMeta } from "./store";

export const SESSION_NOT_FOUND = {
  ok: false,
  code: "session_not_found",
  message: "session not found",
} as const;

/** The session's repository when `tenantId` owns it, it is still open, and the incarnation is the current one. */
export function currentIncarnationTarget(
  meta: SessionMeta | null,
  isCurrentIncarnation: boolean,
): RpcResult<{ repo: SessionMeta["repo"] }> {
  if (!meta) return SESSION_NOT_FOUND;
  if (TERMINAL_STATUSES.has(meta.status))
    return { ok: false, code: "session_closed", message: `the session is ${meta.status}` };
  if (!isCurrentIncarnation) return SESSION_NOT_FOUND;
  return { ok: true, value: { repo: meta.repo } };
}

/** Who the sandbox acts for: usage is attributed to the session's creator. */
export function sandboxCallerInfo(meta: SessionMeta): SandboxCallerInfo {
  const { createdBy, repo, branch, agent, model, allowForcePush } = meta;
  return { userId: createdBy, repo, branch, agent, model, allowForcePush: allowForcePush === true };
}
