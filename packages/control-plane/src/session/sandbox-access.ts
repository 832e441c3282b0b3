/**
 * What the session's current sandbox incarnation may do through the Worker's sandbox routes (model
 * gateway, git proxy, bootstrap exchange, conversation storage). The DO's RPCs for those routes
 * delegate here, so each stays one line. An unknown tenant or a superseded incarnation is "not
 * found", never a hint.
 */
import { TERMINAL_STATUSES } from "@nightshift/protocol";
import type { Bindings } from "../env";
import type { GitAccess } from "../git-proxy/git-caller";
import { isSessionRepo } from "../git-proxy/git-path";
import type { VerifiedBootstrap } from "../sandbox-auth/bootstrap-token";
import { type BootstrapExchangeResult, bootstrapExchangeFor } from "./bootstrap-env";
import { githubCredentialsFor } from "./capabilities";
import { ConversationStore, type SaveResult } from "./conversation-store";
import type { GithubCredentials } from "./github-credentials";
import type { MetaStore } from "./meta-store";
import type { RpcFailure, RpcResult, SandboxCallerInfo } from "./rpc-types";
import type { SessionMeta } from "./store";

export const SESSION_NOT_FOUND = {
  ok: false,
  code: "session_not_found",
  message: "session not found",
} as const;

/** The session's meta when `tenantId` owns it, it is still open, and the incarnation is the current one. */
export function currentIncarnationTarget(
  meta: SessionMeta | null,
  isCurrentIncarnation: boolean,
): RpcResult<SessionMeta> {
  if (!meta) return SESSION_NOT_FOUND;
  if (TERMINAL_STATUSES.has(meta.status))
    return { ok: false, code: "session_closed", message: `the session is ${meta.status}` };
  if (!isCurrentIncarnation) return SESSION_NOT_FOUND;
  return { ok: true, value: meta };
}

/** Who the sandbox acts for: usage is attributed to the session's creator. */
export function sandboxCallerInfo(meta: SessionMeta): SandboxCallerInfo {
  const { createdBy, repo, branch, agent, model, allowForcePush } = meta;
  return { userId: createdBy, repo, branch, agent, model, allowForcePush: allowForcePush === true };
}

export interface SandboxAccessParts {
  env: Bindings;
  meta: MetaStore;
  sql: SqlStorage;
  githubCredentials: GithubCredentials;
  isCurrentIncarnation(incarnationHash: string): boolean;
  now: () => number;
}

/** The DO's SandboxAccess, wired to the deployment's GitHub credentials and the wall clock. */
export function sandboxAccessFor(
  env: Bindings,
  sql: SqlStorage,
  meta: MetaStore,
  isCurrentIncarnation: (incarnationHash: string) => boolean,
): SandboxAccess {
  const githubCredentials = githubCredentialsFor(env, Date.now);
  return new SandboxAccess({ env, meta, sql, githubCredentials, isCurrentIncarnation, now: Date.now });
}

/** The answers the session's DO gives its sandbox's HTTP calls (routes/sandbox-*.ts). */
export class SandboxAccess {
  /** The agent's saved conversation, for resuming on a new sandbox. */
  private readonly conversation: ConversationStore;

  constructor(private readonly parts: SandboxAccessParts) {
    this.conversation = new ConversationStore(parts.sql, parts.meta, parts.now);
  }

  private currentTarget(tenantId: string, incarnationHash: string): RpcResult<SessionMeta> {
    const meta = this.parts.meta.get("session.meta");
    const owned = meta && meta.tenantId === tenantId ? meta : null;
    return currentIncarnationTarget(owned, this.parts.isCurrentIncarnation(incarnationHash));
  }

  /** For the model gateway (sandbox-auth/sandbox-caller.ts): who the current incarnation acts for. */
  caller(tenantId: string, incarnationHash: string): RpcResult<SandboxCallerInfo> {
    const target = this.currentTarget(tenantId, incarnationHash);
    return target.ok ? { ok: true, value: sandboxCallerInfo(target.value) } : target;
  }

  /** POST /sandbox/bootstrap: the current incarnation's environment, once per token. */
  exchangeBootstrap(claims: VerifiedBootstrap): Promise<BootstrapExchangeResult> {
    const { env, meta, isCurrentIncarnation } = this.parts;
    return bootstrapExchangeFor(env, meta, (hash) => isCurrentIncarnation(hash)).exchange(claims);
  }

  /**
   * For the git proxy (git-proxy/git-caller.ts), one call per git request: the sandbox caller and,
   * when the request names this session's GitHub repository, a cached token scoped to it (never
   * sent to the sandbox).
   */
  async gitAccess(
    tenantId: string,
    incarnationHash: string,
    requestedRepo: string,
  ): Promise<RpcResult<GitAccess>> {
    const target = this.currentTarget(tenantId, incarnationHash);
    if (!target.ok) return target;
    const meta = target.value;
    const credential =
      meta.repo.kind === "github" && isSessionRepo(requestedRepo, meta.repo)
        ? await this.parts.githubCredentials.issue(meta.repo, meta.github ?? null)
        : null;
    return { ok: true, value: { caller: sandboxCallerInfo(meta), credential } };
  }

  /** PUT /sandbox/conversation: the current incarnation saves its agent's conversation. */
  saveConversation(
    tenantId: string,
    incarnationHash: string,
    archive: Uint8Array,
    agentSessionId: string | null,
  ): SaveResult | RpcFailure {
    const target = this.currentTarget(tenantId, incarnationHash);
    return target.ok ? this.conversation.save(archive, agentSessionId) : target;
  }

  /** GET /sandbox/conversation: the saved conversation (null when none), for a resumed sandbox. */
  loadConversation(tenantId: string, incarnationHash: string): RpcResult<Uint8Array<ArrayBuffer> | null> {
    const target = this.currentTarget(tenantId, incarnationHash);
    return target.ok ? { ok: true, value: this.conversation.load() } : target;
  }
}
