/**
 * POST /sandbox/bootstrap: a new sandbox trades its one-time bootstrap token for the runtime's
 * environment. The Worker verifies the JWT (signature, audience, expiry); the session's DO checks
 * tenant, incarnation and single use, and builds the environment (session/bootstrap-env.ts).
 * The answer holds the sandbox token and the session's secrets: never cached, never logged.
 */
import type { BootstrapResponse } from "@nightshift/protocol";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { verifyBootstrapToken } from "../sandbox-auth/bootstrap-token";
import { bearerToken } from "../sandbox-auth/token";

export const sandboxBootstrapRoutes = new Hono<AppEnv>().post("/", async (c) => {
  const token = bearerToken(c.req.header("authorization"));
  if (!token)
    throw new AppError("unauthorized", "send the bootstrap token as 'Authorization: Bearer <token>'");
  const secret = c.env.SANDBOX_TOKEN_SECRET;
  if (!secret) throw new AppError("unauthorized", "sandbox tokens are not configured on this control plane");
  const verified = await verifyBootstrapToken(secret, token);
  if (!verified.ok) throw new AppError("unauthorized", verified.reason);
  const answer = await c.env.SESSION_AGENT.getByName(verified.claims.sessionId).exchangeBootstrap(
    verified.claims,
  );
  if (!answer.ok) throw new AppError(answer.code, answer.message);
  return c.json({ env: answer.env } satisfies BootstrapResponse, 200, {
    "cache-control": "no-store",
  });
});
