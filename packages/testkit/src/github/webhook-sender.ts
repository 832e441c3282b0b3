/**
 * Sends webhook deliveries the way GitHub does: JSON body signed with HMAC-SHA256 of the raw
 * bytes (`X-Hub-Signature-256: sha256=<hex>`, plus the legacy sha1 header), a delivery GUID, the
 * event name and the hook-target headers of an App webhook.
 */
import { createHmac, randomUUID } from "node:crypto";

export function signWebhookBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface WebhookDelivery {
  url: string;
  secret: string;
  event: string;
  payload: unknown;
  /** Reuse an id to simulate a redelivery; a fresh GUID otherwise. */
  deliveryId?: string;
  /** Overrides for negative tests (a wrong or missing signature). */
  signature?: string | null;
  appId?: number;
}

export interface WebhookResult {
  deliveryId: string;
  status: number;
  body: string;
  elapsedMs: number;
}

export async function sendWebhook(delivery: WebhookDelivery): Promise<WebhookResult> {
  const body = JSON.stringify(delivery.payload);
  const deliveryId = delivery.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/double",
    "x-github-event": delivery.event,
    "x-github-delivery": deliveryId,
    "x-github-hook-id": "1",
    "x-github-hook-installation-target-type": "integration",
    "x-github-hook-installation-target-id": String(delivery.appId ?? 1),
    "x-hub-signature": `sha1=${createHmac("sha1", delivery.secret).update(body).digest("hex")}`,
  };
  const signature =
    delivery.signature === undefined ? signWebhookBody(delivery.secret, body) : delivery.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const started = performance.now();
  const res = await fetch(delivery.url, {
    method: "POST",
    headers,
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { deliveryId, status: res.status, body: text, elapsedMs: performance.now() - started };
}
