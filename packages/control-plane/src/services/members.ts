/**
 * Membership use cases. Admins manage members and admins; anything touching the owner role
 * (granting it, or changing or removing an owner) needs an owner. A tenant always keeps one owner.
 */
import type { AddMemberRequest, ListMembersResponse, Member, Role } from "@nightshift/protocol";
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import { deleteUserAccountsIn } from "../db/repositories/model-accounts";
import {
  addMember as addMemberRow,
  findMembership,
  listMembers as listMemberRows,
  removeMember as removeMemberRow,
  setMemberRole,
} from "../db/repositories/tenancy";
import { findUserByLogin } from "../db/repositories/users";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { forgetCachedModelKeys } from "../model-gateway/credentials";
import { authorize } from "../tenancy/permissions";
import { requireSessionsStopped } from "./session-revocation";

function memberNotFound(userId: string): AppError {
  return AppError.notFound(`member ${userId.slice(0, 64)}`);
}

function lastOwner(): AppError {
  return new AppError("conflict", "a tenant needs at least one owner; make someone else owner first");
}

export async function listMembers(env: Bindings, actor: Actor): Promise<ListMembersResponse> {
  return { members: await listMemberRows(openDatabase(env.DB), actor.tenantId) };
}

export async function addMember(env: Bindings, actor: Actor, req: AddMemberRequest): Promise<Member> {
  if (req.role === "owner") authorize(actor, "owner.manage");
  const db = openDatabase(env.DB);
  const user = await findUserByLogin(db, req.login);
  if (!user) {
    throw AppError.notFound(
      `user '${req.login.slice(0, 39)}' (they must sign in to Nightshift once before they can be added)`,
    );
  }
  const now = new Date().toISOString();
  if (!(await addMemberRow(db, actor.tenantId, user.id, req.role, now))) {
    throw new AppError("conflict", `${user.login} is already a member; change their role instead`);
  }
  await recordAudit(db, actor.tenantId, actor, {
    action: "member.added",
    target: { type: "user", id: user.id },
    detail: { login: user.login, role: req.role },
  });
  return { userId: user.id, login: user.login, name: user.name, role: req.role, createdAt: now };
}

export async function changeMemberRole(
  env: Bindings,
  actor: Actor,
  userId: string,
  role: Role,
): Promise<Member> {
  const db = openDatabase(env.DB);
  const current = await findMembership(db, actor.tenantId, userId);
  if (!current) throw memberNotFound(userId);
  if (current.role === "owner" || role === "owner") authorize(actor, "owner.manage");
  const result = await setMemberRole(db, actor.tenantId, userId, role);
  if (result === "not_found") throw memberNotFound(userId);
  if (result === "last_owner") throw lastOwner();
  if (current.role !== role) {
    await recordAudit(db, actor.tenantId, actor, {
      action: "member.role_changed",
      target: { type: "user", id: userId },
      detail: { from: current.role, to: role },
    });
  }
  const member = (await listMemberRows(db, actor.tenantId)).find((m) => m.userId === userId);
  if (!member) throw memberNotFound(userId);
  return member;
}

/** Removes the member and stops the sessions they started here (their sandboxes lose every token). */
export async function removeMember(env: Bindings, actor: Actor, userId: string): Promise<void> {
  const db = openDatabase(env.DB);
  const current = await findMembership(db, actor.tenantId, userId);
  if (!current) throw memberNotFound(userId);
  if (current.role === "owner") authorize(actor, "owner.manage");
  const result = await removeMemberRow(db, actor.tenantId, userId);
  if (result === "not_found") throw memberNotFound(userId);
  if (result === "last_owner") throw lastOwner();
  // Their own model accounts here are theirs alone: they leave with them (sealed keys kept for no one).
  if ((await deleteUserAccountsIn(db, actor.tenantId, userId)) > 0) forgetCachedModelKeys();
  await recordAudit(db, actor.tenantId, actor, {
    action: "member.removed",
    target: { type: "user", id: userId },
    detail: { role: current.role },
  });
  // After the row is gone no new session can start; a retry of this stop is a 404, so the sweep
  // would not find them again: report a failure instead of swallowing it.
  await requireSessionsStopped(env, actor.tenantId, { kind: "member", userId });
}
