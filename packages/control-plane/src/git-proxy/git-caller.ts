/**
 * Who a git request comes from, in one DO call: the sandbox token is verified here (JWT), then the
 * session's DO answers `gitAccess` — whether the token's incarnation is current and the session
 * open, who it acts for, and, when the request names the session's own GitHub repository, the
 * installation token the proxy sends upstream (minted and cached in the DO, never sent to the
 * sandbox).
 *
 * Unlike the model gateway, the git proxy does not reuse the isolate's cached caller: the token has
 * to come from the DO on every request anyway, so the same call answers both questions and an
 * ended session is refused at once rather than within the cache's window.
 */
import type { Bindings } from "../env";
import {
  refusalOfSession,
  type SandboxCaller,
  type SandboxCallerRefusal,
  verifySandboxCallerToken,
} from "../sandbox-auth/sandbox-caller";
import type { CredentialResult } from "../session/github-credentials";
import type { SandboxCallerInfo } from "../session/rpc-types";

/** What the session's DO answers the git proxy. */
export interface GitAccess {
  caller: SandboxCallerInfo;
  /** The installation token's result for the session's GitHub repository; null otherwise. */
  credential: CredentialResult | null;
}

export type GitCallerResult =
  | {
      ok: true;
      caller: SandboxCaller;
      /** The incarnation the sandbox was created with: the token's jti up to its first '.'. */
      incarnation: string;
      credential: CredentialResult | null;
    }
  | SandboxCallerRefusal;

/** `requestedRepo`: the repository the URL names (`github/<owner>/<name>` or `local/<path>`). */
export async function authenticateGitCaller(
  env: Pick<Bindings, "SANDBOX_TOKEN_SECRET" | "SESSION_AGENT">,
  headers: Headers,
  requestedRepo: string,
): Promise<GitCallerResult> {
  const verified = await verifySandboxCallerToken(env, headers);
  if (!verified.ok) return verified;
  const { tenantId, sessionId, jti, incarnationHash } = verified;
  const answer = await env.SESSION_AGENT.getByName(sessionId).gitAccess(
    tenantId,
    incarnationHash,
    requestedRepo,
  );
  if (!answer.ok) return refusalOfSession(answer);
  return {
    ok: true,
    caller: { tenantId, sessionId, incarnationHash, ...answer.value.caller },
    incarnation: jti.split(".")[0] ?? "",
    credential: answer.value.credential,
  };
}
