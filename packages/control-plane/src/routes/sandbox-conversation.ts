/**
 * /sandbox/conversation: the agent's saved conversation, so a session outlives its sandbox.
 * `PUT` (after each turn) stores the runtime's archive of its CLI's session files; `GET` (by a
 * resumed sandbox, before its first turn) returns it, or 204 when none was saved. Authenticated
 * by the sandbox token: the Worker verifies the JWT, the session's DO checks the tenant and that
 * the token's incarnation is the current one (session/conversation-store.ts keeps the bytes).
 * The session is named by the token alone, so no sandbox can name another session's conversation.
 */
import { AGENT_SESSION_HEADER, CONVERSATION_MAX_BYTES } from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { refusalOfSession } from "../sandbox-auth/sandbox-caller";
import { bearerToken, verifySandboxToken } from "../sandbox-auth/token";
import { sha256Hex } from "../secrets/encoding";
import type { RpcFailure } from "../session/rpc-types";

/** The CLI session ids agents use (UUIDs, `ses_…`, thread ids): no spaces, slashes or control characters. */
const AgentSessionId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,200}$/, "must be 1-200 letters, digits, '.', '_', ':' or '-'");

const ARCHIVE_TYPES = new Set(["application/gzip", "application/octet-stream"]);

async function sandboxOf(env: Bindings, header: string | undefined) {
  const token = bearerToken(header);
  if (!token) throw new AppError("unauthorized", "send the sandbox token as 'Authorization: Bearer <token>'");
  if (!env.SANDBOX_TOKEN_SECRET)
    throw new AppError("unauthorized", "sandbox tokens are not configured on this control plane");
  const verified = await verifySandboxToken(env.SANDBOX_TOKEN_SECRET, token);
  if (!verified.ok) throw new AppError("unauthorized", verified.reason);
  const { tenantId, sessionId, jti } = verified.claims;
  return {
    tenantId,
    incarnationHash: await sha256Hex(jti),
    session: env.SESSION_AGENT.getByName(sessionId),
  };
}

/** The DO's refusal as the sandbox sees it, worded as the gateway and git proxy word it. */
function refusal(failure: RpcFailure | { code: "payload_too_large"; message: string }): AppError {
  if (failure.code === "payload_too_large") return new AppError("payload_too_large", failure.message);
  const refused = refusalOfSession(failure);
  return new AppError(refused.code, refused.message);
}

export const sandboxConversationRoutes = new Hono<AppEnv>()
  .put("/", async (c) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!ARCHIVE_TYPES.has(type))
      throw new AppError(
        "unsupported_media_type",
        "send the conversation archive as application/gzip (or application/octet-stream)",
      );
    const agentSessionHeader = c.req.header(AGENT_SESSION_HEADER);
    const agentSessionId =
      agentSessionHeader === undefined ? null : AgentSessionId.safeParse(agentSessionHeader);
    if (agentSessionId && !agentSessionId.success)
      throw new AppError(
        "invalid_request",
        `${AGENT_SESSION_HEADER} ${agentSessionId.error.issues[0]?.message ?? "is invalid"}`,
      );
    const sandbox = await sandboxOf(c.env, c.req.header("authorization"));
    const archive = new Uint8Array(await c.req.arrayBuffer());
    if (archive.byteLength === 0) throw new AppError("invalid_request", "the conversation archive is empty");
    if (archive.byteLength > CONVERSATION_MAX_BYTES)
      throw new AppError(
        "payload_too_large",
        `the conversation archive is ${archive.byteLength} bytes; at most ${CONVERSATION_MAX_BYTES} are kept`,
      );
    const saved = await sandbox.session.saveConversation(
      sandbox.tenantId,
      sandbox.incarnationHash,
      archive,
      agentSessionId?.data ?? null,
    );
    if (!saved.ok) throw refusal(saved);
    return c.json({ bytes: saved.value.bytes }, 200);
  })
  .get("/", async (c) => {
    const sandbox = await sandboxOf(c.env, c.req.header("authorization"));
    const loaded = await sandbox.session.loadConversation(sandbox.tenantId, sandbox.incarnationHash);
    if (!loaded.ok) throw refusal(loaded);
    if (!loaded.value) return c.body(null, 204, { "cache-control": "no-store" });
    return c.body(loaded.value, 200, { "content-type": "application/gzip", "cache-control": "no-store" });
  });
