/**
 * Who may steer or stop a session from a chat integration: as on the API (`ownSession` in
 * tenancy/route-policy.ts), members drive their own sessions; admins and owners drive any. A
 * thread or an agent panel anyone in the workspace can write in must not widen that.
 */
import { openDatabase } from "../db/client";
import { findSession } from "../db/repositories/sessions";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { roleAtLeast } from "../tenancy/permissions";

export function requireDriver(actor: Actor, session: { createdBy: string }, doing: "steer" | "stop"): void {
  if (session.createdBy !== actor.userId && !roleAtLeast(actor.role, "admin"))
    throw new AppError("forbidden", `only the person who started this session (or an admin) can ${doing} it`);
}

/** The tenant's session `sessionId` after checking `actor` may drive it; not found → 404 in words. */
export async function sessionToDrive(
  env: Bindings,
  actor: Actor,
  sessionId: string,
  doing: "steer" | "stop",
) {
  const session = await findSession(openDatabase(env.DB), actor.tenantId, sessionId);
  if (!session) throw AppError.sessionNotFound(sessionId);
  requireDriver(actor, session, doing);
  return session;
}
