/** Sends a webhook as Linear does: the raw JSON body signed (hex HMAC-SHA256) in Linear-Signature. */
import { createHmac, randomUUID } from "node:crypto";

export function signLinear(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

export interface LinearDelivery {
  body: string;
  headers: Record<string, string>;
}

/** A delivery of `payload` with a fresh `webhookTimestamp` (unless it carries one) and a new delivery id. */
export function linearDelivery(
  secret: string,
  payload: Record<string, unknown>,
  options: { deliveryId?: string; timestamp?: number } = {},
): LinearDelivery {
  const body = JSON.stringify({ ...payload, webhookTimestamp: options.timestamp ?? Date.now() });
  return {
    body,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "linear-delivery": options.deliveryId ?? randomUUID(),
      "linear-event": String(payload.type ?? ""),
      "linear-signature": signLinear(secret, body),
      "user-agent": "Linear-Webhook",
    },
  };
}

export async function sendLinearWebhook(
  url: string,
  secret: string,
  payload: Record<string, unknown>,
  options: { deliveryId?: string; timestamp?: number } = {},
): Promise<Response> {
  const delivery = linearDelivery(secret, payload, options);
  return fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body });
}
