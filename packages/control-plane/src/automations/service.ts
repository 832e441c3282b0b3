/**
 * Automation use cases behind /api/v1/tenants/:tenant/automations: create (the signing secret is
 * in that answer only), read, update, pause/resume, delete and rotate the secret. Admins manage,
 * members read (route-policy.ts). An automation acts as one member — whoever last changed what it
 * does — so nobody can make it run with someone else's access by editing it.
 */
import {
  type Automation,
  type AutomationCreated,
  type AutomationInput,
  type AutomationPatch,
  type AutomationRotateSecretRequest,
  type AutomationTrigger,
  automationHasSecret,
  type ListAutomationsResponse,
} from "@nightshift/protocol";
import { ulid } from "ulid";
import { recordAudit } from "../audit/record";
import { type Database, openDatabase } from "../db/client";
import {
  type AutomationFields,
  countAutomations,
  deleteAutomation as deleteAutomationRow,
  getAutomation as getAutomationRow,
  insertAutomation,
  listAutomations as listAutomationRows,
  rotateAutomationSecret,
  updateAutomation as updateAutomationRow,
} from "../db/repositories/automations";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { requireWriteAccess } from "../integrations/github/access";
import { checkDefinition } from "./definition";
import { forgetIngress } from "./ingress-cache";
import { nextFireAfter, scheduleAutomation, unscheduleAutomation } from "./schedule";
import { PREVIOUS_SECRET_GRACE_MS, sealAutomationSecret } from "./secrets";
import { newAutomationSecret } from "./signatures";

/** Enough for any team's chores; a bound so one tenant cannot fill the table (or the scheduler). */
export const AUTOMATIONS_PER_TENANT_MAX = 200;

export async function requireAutomation(db: Database, tenantId: string, id: string): Promise<Automation> {
  const automation = await getAutomationRow(db, tenantId, id);
  if (!automation) throw AppError.notFound(`automation ${id.slice(0, 64)}`);
  return automation;
}

function nextRunFor(fields: Pick<AutomationFields, "trigger" | "enabled">, now: Date): string | null {
  const { trigger } = fields;
  if (trigger.kind !== "schedule" || !fields.enabled) return null;
  return nextFireAfter(trigger.cron, trigger.timezone, now).toISOString();
}

/** The definition's checks, the repository's (a fixed one must be reachable for the acting user). */
async function checkedFields(
  env: Bindings,
  actor: Actor,
  fields: AutomationFields,
): Promise<AutomationFields> {
  const { promptTemplate } = checkDefinition({
    trigger: fields.trigger,
    promptTemplate: fields.promptTemplate,
    filter: fields.filter,
    dedupeKey: fields.dedupeKey,
    repoPath: fields.repo.mode === "payload" ? fields.repo.path : null,
  });
  if (fields.repo.mode === "fixed") {
    const repo = fields.repo.repo;
    if (repo.kind === "local" && env.NIGHTSHIFT_MODE !== "local")
      throw new AppError(
        "invalid_request",
        "invalid body: repo.repo: local repositories exist only in local mode; choose a GitHub repository",
      );
    // Said now rather than at the first run: the person saving it can fix it.
    if (repo.kind === "github") await requireWriteAccess(env, actor, repo);
  }
  return { ...fields, promptTemplate };
}

/** An automation acts as the member who set it up; nobody chooses another member to act as. */
function requireSelfAsActing(actor: Actor, actingUserId: string | undefined): void {
  if (actingUserId !== undefined && actingUserId !== actor.userId)
    throw new AppError(
      "forbidden",
      "an automation acts as the member who sets it up, with their repository access; ask that member to save it",
    );
}

export async function createAutomation(
  env: Bindings,
  actor: Actor,
  input: AutomationInput,
): Promise<AutomationCreated> {
  requireSelfAsActing(actor, input.actingUserId);
  const db = openDatabase(env.DB);
  if ((await countAutomations(db, actor.tenantId)) >= AUTOMATIONS_PER_TENANT_MAX)
    throw new AppError(
      "conflict",
      `this tenant has ${AUTOMATIONS_PER_TENANT_MAX} automations, the most it may; delete one first`,
    );
  const now = new Date();
  const base: AutomationFields = {
    name: input.name,
    enabled: input.enabled,
    trigger: input.trigger,
    repo: input.repo,
    agent: input.agent ?? null,
    model: input.model ?? null,
    promptTemplate: input.promptTemplate,
    filter: input.filter ?? null,
    dedupeKey: input.dedupeKey ?? null,
    maxRunsPerHour: input.limits.maxRunsPerHour,
    maxConcurrent: input.limits.maxConcurrent,
    actingUserId: actor.userId,
    pausedReason: null,
    consecutiveFailures: 0,
    nextRunAt: null,
  };
  const fields = await checkedFields(env, actor, base);
  fields.nextRunAt = nextRunFor(fields, now);
  const id = ulid(now.getTime()).toLowerCase();
  const provided = providedSecret(fields.trigger, input.secret);
  const secret = automationHasSecret(fields.trigger.kind) ? (provided ?? newAutomationSecret()) : null;
  const sealed = secret
    ? await sealAutomationSecret(env, db, { tenantId: actor.tenantId, automationId: id }, secret)
    : null;
  const automation = await insertAutomation(db, actor.tenantId, {
    ...fields,
    id,
    createdBy: actor.userId,
    secretCiphertext: sealed,
    now: now.toISOString(),
  });
  await recordAudit(db, actor.tenantId, actor, {
    action: "automation.created",
    target: { type: "automation", id },
    detail: { name: automation.name, trigger: automation.trigger.kind },
  });
  if (automation.trigger.kind === "schedule") await scheduleAutomation(env, actor.tenantId, id);
  // A secret the caller brought is theirs already: only a generated one is shown (once).
  return secret && !provided ? { automation, secret } : { automation };
}

/** Only presets take a secret from outside (Sentry issues its own); a webhook's is always generated. */
function providedSecret(trigger: AutomationTrigger, secret: string | undefined): string | undefined {
  if (secret === undefined) return undefined;
  if (trigger.kind !== "sentry" && trigger.kind !== "github_actions")
    throw new AppError(
      "invalid_request",
      "invalid body: secret: only Sentry and GitHub Actions automations take a secret; a webhook automation's is generated",
      [{ path: "secret", message: "only Sentry and GitHub Actions automations take a secret" }],
    );
  return secret;
}

export async function listAutomations(env: Bindings, actor: Actor): Promise<ListAutomationsResponse> {
  return { automations: await listAutomationRows(openDatabase(env.DB), actor.tenantId) };
}

export async function getAutomation(env: Bindings, actor: Actor, id: string): Promise<Automation> {
  return requireAutomation(openDatabase(env.DB), actor.tenantId, id);
}

/** Whether a patch changes what the automation does (anything but pausing or resuming it). */
function changesBehaviour(patch: AutomationPatch): boolean {
  return Object.keys(patch).some((k) => k !== "enabled");
}

function patched(current: Automation, patch: AutomationPatch, actor: Actor): AutomationFields {
  const enabled = patch.enabled ?? current.enabled;
  const resumed = patch.enabled === true && !current.enabled;
  const pick = <T>(next: T | null | undefined, now: T | undefined): T | null =>
    next === undefined ? (now ?? null) : next;
  return {
    name: patch.name ?? current.name,
    enabled,
    trigger: patch.trigger ?? current.trigger,
    repo: patch.repo ?? current.repo,
    agent: pick(patch.agent, current.agent),
    model: pick(patch.model, current.model),
    promptTemplate: patch.promptTemplate ?? current.promptTemplate,
    filter: pick(patch.filter, current.filter),
    dedupeKey: pick(patch.dedupeKey, current.dedupeKey),
    maxRunsPerHour: patch.limits?.maxRunsPerHour ?? current.limits.maxRunsPerHour,
    maxConcurrent: patch.limits?.maxConcurrent ?? current.limits.maxConcurrent,
    // Whoever changes what it does is who it acts as from now on.
    actingUserId: changesBehaviour(patch) ? actor.userId : current.actingUserId,
    // Resuming clears an auto-pause and its failure streak.
    pausedReason: resumed ? null : (current.pausedReason ?? null),
    consecutiveFailures: resumed ? 0 : current.consecutiveFailures,
    nextRunAt: null,
  };
}

export async function updateAutomation(
  env: Bindings,
  actor: Actor,
  id: string,
  patch: AutomationPatch,
): Promise<Automation> {
  requireSelfAsActing(actor, patch.actingUserId);
  const db = openDatabase(env.DB);
  const current = await requireAutomation(db, actor.tenantId, id);
  if (patch.trigger && automationHasSecret(patch.trigger.kind) !== automationHasSecret(current.trigger.kind))
    throw new AppError(
      "invalid_request",
      "invalid body: trigger.kind: a schedule cannot become a webhook or the reverse (one has a signing secret, the other none); create a new automation",
    );
  const now = new Date();
  const fields = changesBehaviour(patch)
    ? await checkedFields(env, actor, patched(current, patch, actor))
    : patched(current, patch, actor);
  fields.nextRunAt = nextRunFor(fields, now);
  const updated = await updateAutomationRow(db, actor.tenantId, id, fields, now.toISOString());
  if (!updated) throw AppError.notFound(`automation ${id.slice(0, 64)}`);
  // This isolate's deliveries see the change at once; other isolates' within the ingress cache's TTL.
  forgetIngress(id);
  await recordAudit(db, actor.tenantId, actor, {
    action: "automation.updated",
    target: { type: "automation", id },
    detail: { name: updated.name, enabled: updated.enabled, fields: Object.keys(patch).join(",") },
  });
  if (updated.trigger.kind === "schedule" || current.trigger.kind === "schedule") {
    if (updated.enabled) await scheduleAutomation(env, actor.tenantId, id);
    else await unscheduleAutomation(env, id);
  }
  return updated;
}

export async function deleteAutomation(env: Bindings, actor: Actor, id: string): Promise<void> {
  const db = openDatabase(env.DB);
  const current = await requireAutomation(db, actor.tenantId, id);
  if (!(await deleteAutomationRow(db, actor.tenantId, id))) throw AppError.notFound(`automation ${id}`);
  forgetIngress(id);
  await recordAudit(db, actor.tenantId, actor, {
    action: "automation.deleted",
    target: { type: "automation", id },
    detail: { name: current.name },
  });
  if (current.trigger.kind === "schedule") await unscheduleAutomation(env, id);
}

/** A new signing secret, shown in this answer only; the one it replaces keeps working for 24 h. */
export async function rotateSecret(
  env: Bindings,
  actor: Actor,
  id: string,
  body: AutomationRotateSecretRequest,
): Promise<AutomationCreated> {
  const db = openDatabase(env.DB);
  const current = await requireAutomation(db, actor.tenantId, id);
  if (!automationHasSecret(current.trigger.kind))
    throw new AppError("invalid_request", "a schedule has no signing secret to rotate");
  const now = new Date();
  const provided = providedSecret(current.trigger, body.secret);
  const secret = provided ?? newAutomationSecret();
  const sealed = await sealAutomationSecret(env, db, { tenantId: actor.tenantId, automationId: id }, secret);
  const until = new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS).toISOString();
  const automation = await rotateAutomationSecret(db, actor.tenantId, id, sealed, until, now.toISOString());
  if (!automation) throw AppError.notFound(`automation ${id}`);
  forgetIngress(id);
  await recordAudit(db, actor.tenantId, actor, {
    action: "automation.secret_rotated",
    target: { type: "automation", id },
    detail: { name: automation.name, previousValidUntil: until },
  });
  return provided ? { automation } : { automation, secret };
}
