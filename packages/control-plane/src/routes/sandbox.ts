/**
 * /sandbox/*: called by sandboxes, authenticated by their sandbox token (not by users).
 * The Worker checks the JWT; the session's DO checks that its jti is the current incarnation.
 */
import { BridgeCloseCode } from "@nightshift/protocol";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { bearerToken, verifySandboxToken } from "../sandbox-auth/token";
import * as sandboxes from "../services/sandboxes";

/** A WebSocket that is accepted only to be closed with a code the runtime understands. */
function refuseSocket(code: number, reason: string): Response {
  const pair = new WebSocketPair();
  pair[1].accept();
  pair[1].close(code, reason);
  return new Response(null, { status: 101, webSocket: pair[0] });
}

async function claimsOf(secret: string | undefined, header: string | undefined) {
  const token = bearerToken(header);
  if (!token)
    return { ok: false as const, reason: "send the sandbox token as 'Authorization: Bearer <token>'" };
  if (!secret)
    return { ok: false as const, reason: "sandbox tokens are not configured on this control plane" };
  return verifySandboxToken(secret, token);
}

export const sandboxRoutes = new Hono<AppEnv>().get("/connect", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError("upgrade_required", "the sandbox bridge speaks WebSocket; send 'Upgrade: websocket'");
  }
  const verified = await claimsOf(c.env.SANDBOX_TOKEN_SECRET, c.req.header("authorization"));
  if (!verified.ok) return refuseSocket(BridgeCloseCode.unauthorized, verified.reason);
  return sandboxes.connectBridge(c.env, verified.claims, c.req.raw);
});
// Git goes through /sandbox/git/* (routes/sandbox-git.ts): no forge credential is ever handed
// to a sandbox, so there is no credential route here.
