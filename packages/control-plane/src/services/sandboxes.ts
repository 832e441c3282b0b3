/**
 * Sandbox-facing use cases: joining the bridge. (Git goes through the git proxy, routes/sandbox-git.ts,
 * which keeps the forge's credentials; a sandbox is never handed one.)
 */
import type { Bindings } from "../env";
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
