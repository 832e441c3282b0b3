/** /api/v1/tenants/:tenantId/members: list (members), add / change role / remove (admins; owners for owners). */
import { AddMemberRequest, UpdateMemberRequest } from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { parseJsonBody } from "../http/validate";
import * as members from "../services/members";

const UserId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

function userIdParam(raw: string): string {
  if (!UserId.safeParse(raw).success) throw AppError.notFound(`member ${raw.slice(0, 64)}`);
  return raw;
}

export const memberRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await members.listMembers(c.env, c.var.actor)))
  .post("/", async (c) => {
    const body = await parseJsonBody(c, AddMemberRequest);
    return c.json(await members.addMember(c.env, c.var.actor, body), 201);
  })
  .patch("/:userId", async (c) => {
    const userId = userIdParam(c.req.param("userId"));
    const body = await parseJsonBody(c, UpdateMemberRequest);
    return c.json(await members.changeMemberRole(c.env, c.var.actor, userId, body.role));
  })
  .delete("/:userId", async (c) => {
    await members.removeMember(c.env, c.var.actor, userIdParam(c.req.param("userId")));
    return c.body(null, 204);
  });
