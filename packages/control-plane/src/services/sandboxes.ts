/** Sandbox-facing use cases: joining the bridge and brokering git credentials. */
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";
import { checkGitTarget, type GitTarget, githubWebUrl } from "../sandbox-auth/git-target";
import type { SandboxClaims } from "../sandbox-auth/token";
import { sha256Hex } from "../secrets/encoding";
import {
  INTERNAL_INCARNATION_HEADER,
  INTERNAL_SOCKET_HEADER,
  INTERNAL_TENANT_HEADER,
  INTERNAL_TOKEN_ID_HEADER,
  INTERNAL_TOKEN_ISSUED_HEADER,
} from "../session/internal-headers";

export async function connectBridge(
  env: Bindings,
  claims: SandboxClaims,
  request: Request,
): Promise<Response> {
  const headers = new Headers({ upgrade: "websocket" });
  headers.set(INTERNAL_TENANT_HEADER, claims.tenantId);
  headers.set(INTERNAL_SOCKET_HEADER, "sandbox");
  headers.set(INTERNAL_INCARNATION_HEADER, await sha256Hex(claims.jti));
  headers.set(INTERNAL_TOKEN_ID_HEADER, claims.jti);
  if (claims.issuedAt !== undefined) headers.set(INTERNAL_TOKEN_ISSUED_HEADER, String(claims.issuedAt));
  return env.SESSION_AGENT.getByName(claims.sessionId).fetch(new Request(request.url, { headers }));
}

export interface GitCredential {
  username: string;
  password: string;
  expiresAt: string;
}

export async function gitCredential(
  env: Bindings,
  claims: SandboxClaims,
  target: GitTarget,
): Promise<GitCredential> {
  const agent = env.SESSION_AGENT.getByName(claims.sessionId);
  const incarnation = await sha256Hex(claims.jti);
  const result = await agent.gitCredentialTarget(claims.tenantId, incarnation);
  if (!result.ok) {
    if (result.code === "session_closed")
      throw new AppError("session_ended", `${result.message}; its sandbox token is no longer honoured`);
    throw new AppError("unauthorized", "this sandbox token is no longer valid for the session");
  }
  if (result.value.repo.kind === "local") {
    throw new AppError("not_found", `local repositories need no credential (asked for ${target.host})`);
  }
  const check = checkGitTarget(result.value.repo, target, githubWebUrl(env));
  if (!check.ok) {
    await recordAudit(
      openDatabase(env.DB),
      claims.tenantId,
      { system: "sandbox" },
      {
        action: "sandbox.credential_refused",
        target: { type: "session", id: claims.sessionId },
        detail: {
          protocol: target.protocol.slice(0, 20),
          host: target.host.slice(0, 300),
          path: (target.path ?? "").slice(0, 500),
        },
      },
    );
    throw new AppError("forbidden", check.reason);
  }
  // The DO mints (or reuses) an installation token limited to this one repository and contents: write.
  const minted = await agent.githubCredential(claims.tenantId, incarnation);
  if (!minted.ok) throw new AppError(minted.code, minted.message);
  return {
    username: "x-access-token",
    password: minted.value.token,
    expiresAt: new Date(minted.value.expiresAt).toISOString(),
  };
}
