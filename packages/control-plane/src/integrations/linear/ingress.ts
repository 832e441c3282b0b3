/**
 * Linear webhook ingress (the inbound port's verify and parse): the signature over the raw bytes
 * first (a forged delivery never reaches a parser), then the JSON, then `webhookTimestamp` within
 * a minute (a captured delivery cannot be replayed later), then the event itself, then the
 * delivery id claimed in the same table GitHub's deliveries use, so a redelivery or a replay is
 * answered 200 and does nothing twice. The work itself follows the acknowledgement (router.ts).
 */
import { z } from "zod";
import { openDatabase } from "../../db/client";
import { claimDelivery, releaseDelivery } from "../../db/webhook-deliveries";
import type { Bindings } from "../../env";
import { AppError } from "../../http/app-error";
import type { IntegrationLog } from "../port";
import { requireLinear } from "./config";
import { type LinearIntent, MalformedLinearEvent, parseLinearEnvelope, parseLinearEvent } from "./events";
import { routeLinearIntent } from "./router";
import { isFreshTimestamp, verifyLinearSignature } from "./signature";

/** Delivery ids share GitHub's table: the prefix keeps the two id spaces apart. */
const DELIVERY_PREFIX = "linear:";

const DeliveryHeader = z
  .string({ error: "the Linear-Delivery header is required" })
  .min(1, "the Linear-Delivery header is required")
  .max(100, "the Linear-Delivery header is too long");

export interface LinearOutcome {
  body: { received: true; duplicate?: true };
  /** The work to do after answering (nothing for duplicates and ignored events). */
  intent: LinearIntent | null;
  deliveryId: string;
}

export async function receiveLinearWebhook(
  env: Bindings,
  headers: { signature: string | undefined; delivery: string | undefined },
  rawBody: Uint8Array,
  now: number,
): Promise<LinearOutcome> {
  const config = requireLinear(env);
  if (!(await verifyLinearSignature(config.webhookSecret, headers.signature, rawBody)))
    throw new AppError(
      "unauthorized",
      "Linear-Signature is missing or does not match this app's webhook signing secret",
    );
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(rawBody));
  } catch {
    throw new AppError("invalid_json", "the delivery body is not JSON");
  }
  let intent: LinearIntent;
  try {
    const envelope = parseLinearEnvelope(payload);
    if (!isFreshTimestamp(envelope.webhookTimestamp, now))
      throw new AppError(
        "unauthorized",
        "webhookTimestamp is more than a minute from now; a delayed or replayed delivery is refused",
      );
    intent = parseLinearEvent(payload);
  } catch (error) {
    if (error instanceof MalformedLinearEvent) throw new AppError("invalid_request", error.message);
    throw error;
  }
  const delivery = DeliveryHeader.safeParse(headers.delivery);
  if (!delivery.success)
    throw new AppError("invalid_request", delivery.error.issues[0]?.message ?? "bad Linear-Delivery header");
  const deliveryId = `${DELIVERY_PREFIX}${delivery.data}`;
  const event = `linear:${(payload as { type: string }).type}`.slice(0, 100);
  if (!(await claimDelivery(openDatabase(env.DB), deliveryId, event, now)))
    return { body: { received: true, duplicate: true }, intent: null, deliveryId };
  return { body: { received: true }, intent: intent.kind === "ignore" ? null : intent, deliveryId };
}

/**
 * The work after the 200. If it fails, the delivery is forgotten, so Linear's retry of it runs
 * again instead of being answered as a duplicate.
 */
export async function processLinearDelivery(
  env: Bindings,
  intent: LinearIntent,
  deliveryId: string,
  log: IntegrationLog,
): Promise<void> {
  try {
    await routeLinearIntent(env, intent, log);
  } catch (error) {
    const why = error instanceof Error ? error.message : "unknown error";
    log.info(`handling ${intent.kind} failed: ${why}; a retry of the delivery will be processed again`);
    await releaseDelivery(openDatabase(env.DB), deliveryId).catch(() => undefined);
  }
}
