/**
 * A GitHub `push` to a repository's default branch asks its WarmPool for a prebuild (the webhook
 * route has already verified the delivery and claimed its id, so a redelivery is not a second
 * trigger). Pushes to other branches, branch deletions and repositories without warm start on
 * are ignored; so is a payload without the fields used (logged, never a 400 for GitHub).
 */
import { z } from "zod";
import { openDatabase } from "../db/client";
import { findInstallationTenant } from "../db/repositories/github";
import { findWarmRepository } from "../db/repositories/warm";
import type { Bindings } from "../env";
import { repoKeyOf } from "../secrets/sandbox-secrets";
import { warmPoolName } from "./warm-pool";

const PushEvent = z.looseObject({
  ref: z.string().max(300),
  after: z.string().regex(/^[0-9a-f]{40,64}$/),
  deleted: z.boolean().optional(),
  repository: z.looseObject({
    name: z.string().min(1).max(100),
    owner: z.looseObject({ login: z.string().min(1).max(100) }),
    default_branch: z.string().min(1).max(250),
  }),
  installation: z.looseObject({ id: z.number().int().positive() }),
});

export interface WarmPush {
  installationId: number;
  repo: { kind: "github"; owner: string; name: string };
  head: string;
}

/** The push, when it moved the default branch; null for anything else (with why, for the log). */
export function defaultBranchPush(payload: unknown): { push: WarmPush } | { push: null; why: string } {
  const parsed = PushEvent.safeParse(payload);
  if (!parsed.success) return { push: null, why: "push payload without the fields warm start reads" };
  const p = parsed.data;
  if (p.deleted) return { push: null, why: "a branch deletion" };
  if (p.ref !== `refs/heads/${p.repository.default_branch}`)
    return { push: null, why: `a push to ${p.ref}, not the default branch` };
  return {
    push: {
      installationId: p.installation.id,
      repo: { kind: "github", owner: p.repository.owner.login, name: p.repository.name },
      head: p.after,
    },
  };
}

export async function handleWarmPush(
  env: Bindings,
  push: WarmPush,
  log: { info(message: string): void },
): Promise<void> {
  const db = openDatabase(env.DB);
  const tenantId = await findInstallationTenant(db, push.installationId);
  if (!tenantId) return;
  const repoKey = repoKeyOf(push.repo);
  const warm = await findWarmRepository(db, tenantId, repoKey);
  if (!warm?.enabled) return;
  const result = await env.WARM_POOL.getByName(warmPoolName(tenantId, repoKey)).trigger({
    tenantId,
    repoKey,
    reason: "push",
    head: push.head,
  });
  log.info(
    result.started
      ? `push to the default branch of ${repoKey}: prebuild ${result.sessionId} started`
      : `push to the default branch of ${repoKey}: no prebuild (${result.why})`,
  );
}
