/**
 * GitHub webhook ingress: verify the signature over the raw body, validate the headers and the
 * JSON, deduplicate by delivery id and by the trigger's payload key (the same comment or labelling
 * under a new delivery id is a duplicate too), then acknowledge. Work that follows (triggers)
 * must be handed off, never done before answering.
 */
import { z } from "zod";
import { openDatabase } from "../../db/client";
import {
  claimDelivery,
  claimTriggerKey,
  releaseDelivery,
  releaseTriggerKey,
} from "../../db/webhook-deliveries";
import type { Bindings } from "../../env";
import { githubAppConfigOrNull } from "../../github/app-config";
import { MalformedPayload, routeWebhook, type WebhookAction } from "../../github/webhook-router";
import { verifyWebhookSignature } from "../../github/webhook-signature";
import { AppError } from "../../http/app-error";
import { defaultBranchPush, type WarmPush } from "../../warm/push-trigger";
import { triggerKeyOf } from "./trigger-keys";
import { runWebhookAction, type TriggerLog } from "./triggers";

const Headers = z.object({
  event: z.string().regex(/^[a-z_]{1,64}$/, "X-GitHub-Event must name an event"),
  delivery: z.string().min(1).max(100, "X-GitHub-Delivery is too long"),
});

const Envelope = z.looseObject({
  action: z.string().max(100).optional(),
  installation: z.looseObject({ id: z.number().int().positive() }).optional(),
});

/** A webhook's work, with the payload key it claimed (released again if the work fails). */
export type KeyedAction = WebhookAction & { triggerKey?: string };

export interface WebhookOutcome {
  status: 200 | 202;
  body: { received: true; duplicate?: true; event: string };
  /** The work to do after answering (nothing for duplicates). */
  action: KeyedAction | null;
  /** A fresh push to a default branch: warm start may prebuild (warm/push-trigger.ts). */
  warmPush?: WarmPush;
  deliveryId: string;
}

export async function receiveGithubWebhook(
  env: Bindings,
  headers: { event: string | undefined; delivery: string | undefined; signature: string | undefined },
  rawBody: Uint8Array,
  now: number,
): Promise<WebhookOutcome> {
  const config = githubAppConfigOrNull(env);
  if (!config) throw new AppError("not_found", "no GitHub App is configured here; see docs/github-app.md");
  if (!(await verifyWebhookSignature(config.webhookSecret, rawBody, headers.signature)))
    throw new AppError(
      "unauthorized",
      "X-Hub-Signature-256 is missing or does not match this App's webhook secret",
    );
  const meta = Headers.safeParse({ event: headers.event, delivery: headers.delivery });
  if (!meta.success)
    throw new AppError("invalid_request", meta.error.issues[0]?.message ?? "bad GitHub delivery headers");
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(rawBody));
  } catch {
    throw new AppError(
      "invalid_json",
      "the delivery body is not JSON; set the webhook content type to application/json",
    );
  }
  const envelope = Envelope.safeParse(payload);
  if (!envelope.success)
    throw new AppError("invalid_request", "the delivery body is not a GitHub event payload");
  let action: WebhookAction;
  try {
    action = routeWebhook(meta.data.event, envelope.data, {
      appSlug: config.slug,
      triggerLabel: config.triggerLabel,
    });
  } catch (error) {
    if (error instanceof MalformedPayload) throw new AppError("invalid_request", error.message);
    throw error;
  }
  const db = openDatabase(env.DB);
  const triggerKey = triggerKeyOf(meta.data.event, action, envelope.data);
  const fresh =
    (await claimDelivery(db, meta.data.delivery, meta.data.event, now)) &&
    (triggerKey === null || (await claimTriggerKey(db, triggerKey, now)));
  if (!fresh)
    return {
      status: 200,
      body: { received: true, duplicate: true, event: meta.data.event },
      action: null,
      deliveryId: meta.data.delivery,
    };
  const push = meta.data.event === "push" ? defaultBranchPush(payload).push : null;
  return {
    status: 202,
    body: { received: true, event: meta.data.event },
    action: triggerKey === null ? action : { ...action, triggerKey },
    deliveryId: meta.data.delivery,
    ...(push ? { warmPush: push } : {}),
  };
}

/**
 * The work after the 202. If it fails, the delivery and its trigger key are forgotten, so
 * GitHub's "Redeliver" (or an automatic redelivery) runs it again instead of being answered as a
 * duplicate.
 */
export async function processWebhook(
  env: Bindings,
  action: KeyedAction,
  deliveryId: string,
  log: TriggerLog,
): Promise<void> {
  try {
    await runWebhookAction(env, action, log);
  } catch (error) {
    const why = error instanceof Error ? error.message : "unknown error";
    log.info(`handling ${action.kind} failed: ${why}; a redelivery will be processed again`);
    const db = openDatabase(env.DB);
    await releaseDelivery(db, deliveryId).catch(() => undefined);
    if (action.triggerKey) await releaseTriggerKey(db, action.triggerKey).catch(() => undefined);
  }
}
