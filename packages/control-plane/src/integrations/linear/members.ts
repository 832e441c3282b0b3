/**
 * Which Nightshift member a Linear user is: the member of the organization's tenant whose account
 * email equals the Linear user's email (case-insensitive). Linear names every delivery's requester
 * with their workspace email, and Nightshift accounts carry the email GitHub verified at sign-in,
 * so no extra linking step stands between a product manager and their first delegation. Only the
 * tenant's own members are candidates: the same email in another tenant never acts here.
 */
import { openDatabase } from "../../db/client";
import { findMemberByEmail } from "../../db/repositories/linear";
import type { Actor, Bindings } from "../../env";

export async function memberForLinearUser(
  env: Bindings,
  tenantId: string,
  email: string | null,
): Promise<Actor | null> {
  if (!email?.trim()) return null;
  const member = await findMemberByEmail(openDatabase(env.DB), tenantId, email);
  if (!member) return null;
  return { tenantId, ...member, via: "integration" };
}
