/**
 * POST /webhooks/in/:automationId, before the run: find the automation (unknown, disabled or a
 * schedule all get the same 404, so the answer says nothing about which ids exist), verify the
 * delivery over its raw bytes by the trigger's scheme (Standard Webhooks, Sentry, GitHub) or a
 * scoped API key, apply the tenant's webhook rate limit, parse the JSON and name the delivery
 * (the dedupe key's value, else the preset's natural id, else the delivery header).
 */
import { type Automation, automationHasSecret, readPayloadPath } from "@nightshift/protocol";
import { ulid } from "ulid";
import { openDatabase } from "../db/client";
import { findApiKeyByHash, touchApiKey } from "../db/repositories/api-keys";
import { findAutomationForIngress } from "../db/repositories/automations";
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";
import { enforceWebhookRateLimit } from "../rate-limit/limiter";
import { hashApiKey, looksLikeApiKey } from "../tenancy/api-key-format";
import { can, lowerRole } from "../tenancy/permissions";
import { cachedIngress, forgetIngress, type IngressEntry, rememberIngress } from "./ingress-cache";
import { githubActionsRun } from "./presets/github-actions";
import { sentryRun } from "./presets/sentry";
import { liveSecrets, openAutomationSecrets } from "./secrets";
import { verifyGithubSignature, verifySentrySignature, verifyStandardWebhook } from "./signatures";

const TRIGGER_ID_MAX = 200;
const ID_SHAPE = /^[0-9a-z]{26}$/;

export interface VerifiedAutomationDelivery {
  automation: Automation;
  payload: unknown;
  triggerId: string;
}

/** One answer for every automation that does not take deliveries here: no oracle on ids. */
function notFound(): AppError {
  return new AppError("not_found", "no automation takes deliveries at this address");
}

function unauthorized(message: string): AppError {
  return new AppError("unauthorized", message);
}

/**
 * A scoped API key of the automation's tenant: "automations:trigger" (any of its automations) or
 * "automations:trigger:<this id>", live, and its creator still allowed to manage automations.
 */
async function verifyTriggerKey(
  env: Bindings,
  automation: Automation,
  header: string,
  now: Date,
): Promise<void> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const refused = unauthorized("this API key may not trigger this automation");
  if (!token || !looksLikeApiKey(token))
    throw unauthorized("send an API key as 'Authorization: Bearer nsk_...'");
  const db = openDatabase(env.DB);
  const found = await findApiKeyByHash(db, await hashApiKey(token));
  if (!found || found.key.tenantId !== automation.tenantId) throw refused;
  const { key, creatorRole } = found;
  const scoped = key.scope === "automations:trigger" || key.scope === `automations:trigger:${automation.id}`;
  if (!scoped) throw refused;
  if (key.revokedAt) throw unauthorized("this API key was revoked");
  if (key.expiresAt && key.expiresAt <= now.toISOString()) throw unauthorized("this API key has expired");
  if (!creatorRole || !can(lowerRole(key.role, creatorRole), "automation.manage")) throw refused;
  const staleBefore = new Date(now.getTime() - 60_000).toISOString();
  if (!key.lastUsedAt || key.lastUsedAt < staleBefore)
    await touchApiKey(db, key.tenantId, key.id, now.toISOString(), staleBefore);
}

/** Verifies by the trigger's scheme; returns the delivery's own id when the scheme carries one. */
async function verifySignature(
  entry: IngressEntry,
  raw: string,
  headers: Headers,
  now: Date,
): Promise<string | undefined> {
  const { automation } = entry;
  const secrets = entry.secrets ? liveSecrets(entry.secrets, now) : [];
  switch (automation.trigger.kind) {
    case "webhook": {
      const result = await verifyStandardWebhook(raw, headers, secrets, now);
      if (!result.ok) throw unauthorized(result.reason);
      return result.webhookId;
    }
    case "sentry":
      if (!(await verifySentrySignature(raw, headers, secrets)))
        throw unauthorized("sentry-hook-signature is missing or does not match this automation's secret");
      return headers.get("request-id") ?? undefined;
    case "github_actions":
      if (!(await verifyGithubSignature(raw, headers, secrets)))
        throw unauthorized("x-hub-signature-256 is missing or does not match this automation's secret");
      return headers.get("x-github-delivery") ?? undefined;
    case "schedule":
      throw notFound();
  }
}

/** The automation as D1 has it now, with its secrets opened; null when it takes no deliveries. */
async function loadIngress(env: Bindings, automationId: string, now: Date): Promise<IngressEntry | null> {
  const db = openDatabase(env.DB);
  const found = await findAutomationForIngress(db, automationId);
  const automation = found?.automation;
  if (!found || !automation?.enabled || automation.trigger.kind === "schedule") return null;
  const secrets = automationHasSecret(automation.trigger.kind)
    ? await openAutomationSecrets(
        env,
        db,
        { tenantId: automation.tenantId, automationId: automation.id },
        found.secrets,
        now,
      )
    : null;
  return { automation, secrets };
}

/** The delivery's own id (header), after it proved it may start this automation (key or signature). */
async function authenticate(
  env: Bindings,
  entry: IngressEntry,
  headers: Headers,
  raw: string,
  now: Date,
): Promise<string | undefined> {
  const authorization = headers.get("authorization");
  if (authorization !== null && entry.automation.trigger.kind === "webhook") {
    await verifyTriggerKey(env, entry.automation, authorization, now);
    return headers.get("webhook-id") ?? headers.get("idempotency-key") ?? undefined;
  }
  return verifySignature(entry, raw, headers, now);
}

/**
 * The automation and the delivery's id once it authenticated. A cached entry that would refuse the
 * delivery is not trusted with the refusal: D1 may already say otherwise (a secret rotated in
 * another isolate), so it is read again and asked once more. Only a fresh read is stored.
 */
async function authenticated(
  env: Bindings,
  automationId: string,
  headers: Headers,
  raw: string,
  now: Date,
): Promise<{ automation: Automation; deliveryId: string | undefined }> {
  const at = now.getTime();
  const cached = cachedIngress(automationId, at);
  if (cached) {
    try {
      return {
        automation: cached.automation,
        deliveryId: await authenticate(env, cached, headers, raw, now),
      };
    } catch (error) {
      if (!(error instanceof AppError) || (error.code !== "unauthorized" && error.code !== "not_found"))
        throw error;
      forgetIngress(automationId);
    }
  }
  const fresh = await loadIngress(env, automationId, now);
  if (!fresh) throw notFound();
  const deliveryId = await authenticate(env, fresh, headers, raw, now);
  rememberIngress(fresh, at);
  return { automation: fresh.automation, deliveryId };
}

function presetTriggerId(automation: Automation, payload: unknown): string | undefined {
  if (automation.trigger.kind === "sentry") {
    const run = sentryRun(payload);
    return run.ok ? run.triggerId : undefined;
  }
  if (automation.trigger.kind === "github_actions") {
    const run = githubActionsRun(payload);
    return run.ok ? run.triggerId : undefined;
  }
  return undefined;
}

/** The configured dedupe key's value, else the preset's natural id, else the delivery's own id. */
export function triggerIdFor(
  automation: Automation,
  payload: unknown,
  deliveryId: string | undefined,
): string {
  const keyed = automation.dedupeKey ? readPayloadPath(payload, automation.dedupeKey) : undefined;
  const fromKey = typeof keyed === "string" || typeof keyed === "number" ? String(keyed) : undefined;
  const id =
    fromKey || presetTriggerId(automation, payload) || deliveryId || `delivery:${ulid().toLowerCase()}`;
  return id.slice(0, TRIGGER_ID_MAX);
}

export async function verifyAutomationDelivery(
  env: Bindings,
  automationId: string,
  headers: Headers,
  raw: string,
  now: Date,
): Promise<VerifiedAutomationDelivery> {
  if (!ID_SHAPE.test(automationId)) throw notFound();
  const { automation, deliveryId } = await authenticated(env, automationId, headers, raw, now);
  // After verification: a stranger's flood cannot use up the tenant's budget.
  await enforceWebhookRateLimit(env, automation.tenantId);
  let payload: unknown;
  try {
    // A bare trigger (curl with a key and no body) is an empty payload.
    payload = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch {
    throw new AppError("invalid_json", "the delivery body is not JSON");
  }
  return {
    automation,
    payload,
    triggerId: triggerIdFor(automation, payload, deliveryId?.trim() || undefined),
  };
}
