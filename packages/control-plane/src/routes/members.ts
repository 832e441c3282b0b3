/** /api/v1/tenants/:tenantId/members: list (members), add / change role / remove (admins; owners for owners). */
import { AddMemberRequest, UpdateMemberRequest } from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, paramsOf } from "../http/validate";
import * as members from "../services/members";

/** A malformed id names no member: the same 404 as an unknown one. */
const memberParams = paramsOf(z.object({ userId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }), (raw) =>
  AppError.notFound(`member ${raw.userId ?? ""}`),
);

export const memberRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await members.listMembers(c.env, c.var.actor)))
  .post("/", jsonBody(AddMemberRequest), async (c) => {
    return c.json(await members.addMember(c.env, c.var.actor, c.req.valid("json")), 201);
  })
  .patch("/:userId", memberParams, jsonBody(UpdateMemberRequest), async (c) => {
    const { userId } = c.req.valid("param");
    return c.json(await members.changeMemberRole(c.env, c.var.actor, userId, c.req.valid("json").role));
  })
  .delete("/:userId", memberParams, async (c) => {
    await members.removeMember(c.env, c.var.actor, c.req.valid("param").userId);
    return c.body(null, 204);
  });
