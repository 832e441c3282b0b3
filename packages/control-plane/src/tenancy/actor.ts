/**
 * Resolves who is calling and in which tenant, once, for every /api/v1 request.
 * Local mode has one tenant and one owner; other modes need credentials.
 */
import { createMiddleware } from "hono/factory";
import { openDatabase } from "../db/client";
import { ensureLocalIdentity, findUser } from "../db/repositories/tenancy";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";

export const resolveActor = createMiddleware<AppEnv>(async (c, next) => {
  if (c.env.NIGHTSHIFT_MODE !== "local") {
    throw new AppError("unauthorized", 401, "sign in or send an API key as 'Authorization: Bearer <key>'");
  }
  const db = openDatabase(c.env.DB);
  const { tenantId, userId } = await ensureLocalIdentity(db);
  const user = await findUser(db, userId);
  c.set("actor", { tenantId, userId, role: "owner", name: user?.name ?? "Local User" });
  await next();
});
