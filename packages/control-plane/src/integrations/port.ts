/**
 * The integration port: what every place people start work from (GitHub, Slack, Linear, a generic
 * webhook) implements, so they share one session-creation path (services/sessions.ts: agent
 * choice and the per-user write check) and one durable reply outbox instead of growing copies.
 *
 * Inbound: a delivery is verified over its raw bytes (a forged or stale one never reaches a
 * parser), parsed into a typed intent, acknowledged, and then routed to a session after the ack.
 * Outbound: a session's progress, final result and pull request link go back where the work was
 * asked for, queued in the session's DO and sent from its alarm with backoff (outbox-core.ts).
 */
import type { AgentEvent, SessionStatus } from "@nightshift/protocol";
import type { SessionMeta } from "../session/store";

/** The headers and exact bytes of one delivery, as received. */
export interface RawDelivery {
  header(name: string): string | undefined;
  body: Uint8Array;
  /** Epoch ms when it arrived (signature windows are measured against it). */
  receivedAt: number;
}

/** A delivery that passed verification; `id` is the integration's dedupe key (delivery or event id). */
export interface VerifiedDelivery<Payload> {
  id: string;
  payload: Payload;
}

/** Who asked, in the integration's own terms (a Slack user in a workspace, a GitHub login). */
export interface ExternalActor {
  /** The integration account the request came through (a Slack team id, a GitHub installation id). */
  account: string;
  /** The person's id within that account. */
  userId: string;
}

/** What a verified delivery asks for, independent of its wire format. */
export type InboundIntent<Origin> =
  | { kind: "start"; actor: ExternalActor; origin: Origin; text: string }
  | { kind: "follow-up"; actor: ExternalActor; origin: Origin; text: string }
  | { kind: "stop"; actor: ExternalActor; origin: Origin }
  | { kind: "unlink"; account: string }
  | { kind: "ignore"; reason: string };

export interface IntegrationLog {
  info(message: string): void;
}

/**
 * The inbound side. `verify` and `parse` run before the acknowledgement and must be fast and
 * pure of side effects beyond the dedupe claim; `route` runs after it (waitUntil) and is where
 * tenants are resolved, users linked and sessions created through services/sessions.ts.
 */
export interface InboundPort<Payload, Intent extends { kind: string }> {
  /** Resolves with the verified delivery, or throws a 401 AppError for a bad or stale signature. */
  verify(delivery: RawDelivery): Promise<VerifiedDelivery<Payload>>;
  /**
   * Throws a 400 AppError naming the field when the payload is malformed. Intents are
   * InboundIntent<Origin>, plus any handshake of the integration's own (Slack's url_verification).
   */
  parse(payload: Payload): Intent;
  route(intent: Intent, log: IntegrationLog): Promise<void>;
}

/**
 * The outbound side, as a session's Durable Object drives it: told of accepted prompts, status
 * changes and the runtime's events, an integration queues its replies (progress, the final result,
 * the PR link) in its durable outbox (outbox-core.ts) and sends them when its alarm deadline comes.
 */
export interface SessionReplies {
  /** The scheduler deadline whose alarm calls `flush`. */
  readonly deadline: "slack.sync" | "linear.sync";
  promptAccepted(meta: SessionMeta): void;
  onStatus(meta: SessionMeta, status: SessionStatus, reason: string | undefined): void;
  onRuntimeEvents(meta: SessionMeta, events: AgentEvent[]): void;
  flush(meta: SessionMeta, publish: (events: AgentEvent[]) => void): Promise<void>;
}
