/**
 * Slack's Events API ingress (the inbound side of port.ts): the v0 signature over the raw body
 * (bad → 401, older than five minutes → 401), then the JSON (malformed → 400 naming the field),
 * then the dedupe on `event_id` shared with GitHub's deliveries (db/webhook-deliveries.ts), so a
 * retry (`x-slack-retry-num`) or a replay inside the window is answered 200 and runs nothing twice.
 * Routing happens after the 200 (routes/webhooks.ts hands it to waitUntil).
 */
import { openDatabase } from "../../db/client";
import { claimDelivery } from "../../db/webhook-deliveries";
import type { Bindings } from "../../env";
import { AppError } from "../../http/app-error";
import type { InboundPort, IntegrationLog, RawDelivery, VerifiedDelivery } from "../port";
import { requireSlack } from "./config";
import { MalformedSlackEvent, parseSlackEvent, type SlackIntent } from "./events";
import { verifySlackSignature } from "./signature";
import { routeSlackIntent } from "./triggers";

export class SlackInbound implements InboundPort<unknown, SlackIntent> {
  constructor(private readonly env: Bindings) {}

  async verify(delivery: RawDelivery): Promise<VerifiedDelivery<unknown>> {
    const config = requireSlack(this.env);
    const verdict = await verifySlackSignature(
      config.signingSecrets,
      {
        signature: delivery.header("x-slack-signature"),
        timestamp: delivery.header("x-slack-request-timestamp"),
      },
      delivery.body,
      delivery.receivedAt,
    );
    if (verdict === "stale")
      throw new AppError(
        "unauthorized",
        "X-Slack-Request-Timestamp is more than five minutes from now; refused as a possible replay",
      );
    if (verdict !== "valid")
      throw new AppError(
        "unauthorized",
        "X-Slack-Signature is missing or does not match this app's signing secret",
      );
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(delivery.body));
    } catch {
      throw new AppError("invalid_json", "the event body is not JSON");
    }
    return { id: "", payload };
  }

  parse(payload: unknown): SlackIntent {
    try {
      return parseSlackEvent(payload);
    } catch (error) {
      if (error instanceof MalformedSlackEvent) throw new AppError("invalid_request", error.message);
      throw error;
    }
  }

  route(intent: SlackIntent, log: IntegrationLog): Promise<void> {
    return routeSlackIntent(this.env, intent, log);
  }
}

export interface SlackAck {
  body: { challenge: string } | { ok: true; duplicate?: true };
  /** The work to do after answering: null for the handshake, duplicates and ignored events. */
  intent: SlackIntent | null;
}

export async function receiveSlackEvent(env: Bindings, delivery: RawDelivery): Promise<SlackAck> {
  const inbound = new SlackInbound(env);
  const { payload } = await inbound.verify(delivery);
  const intent = inbound.parse(payload);
  if (intent.kind === "url_verification") return { body: { challenge: intent.challenge }, intent: null };
  if (intent.kind === "ignore") return { body: { ok: true }, intent: null };
  const eventId = intent.eventId;
  if (eventId) {
    const fresh = await claimDelivery(
      openDatabase(env.DB),
      `slack:${eventId}`,
      `slack.${intent.kind}`,
      delivery.receivedAt,
    );
    if (!fresh) return { body: { ok: true, duplicate: true }, intent: null };
  }
  return { body: { ok: true }, intent };
}
