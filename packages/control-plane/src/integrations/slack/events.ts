/**
 * Parses a verified Slack Events API body into what it asks for (port.ts's intents): the URL
 * handshake, a mention or DM that starts or follows up on a session, a `stop` in a thread, the
 * workspace revoking the app, or something to ignore. Pure: no I/O, so it is tested on the real
 * deliveries. A body that is not a Slack event is a MalformedSlackEvent naming the field.
 */
import { z } from "zod";
import type { InboundIntent } from "../port";
import { isStopCommand, withoutMentions } from "./text";

/** Where a Slack request was made and where its answers go: the thread rooted at `threadTs`. */
export interface SlackOrigin {
  teamId: string;
  channelId: string;
  threadTs: string;
  /** The message's own ts (the thread root when it started the thread). */
  messageTs: string;
  /** A direct message to the app (channel type "im"). */
  direct: boolean;
}

export type SlackIntent =
  | { kind: "url_verification"; challenge: string }
  | (InboundIntent<SlackOrigin> & { eventId?: string });

export class MalformedSlackEvent extends Error {}

const id = z.string().min(1).max(64);
const ts = z
  .string()
  .regex(/^[0-9]{1,12}(\.[0-9]{1,8})?$/, "must be a Slack timestamp like 1515449522.000016");

const UrlVerification = z.object({
  type: z.literal("url_verification"),
  challenge: z.string().min(1).max(200),
});

const Callback = z.looseObject({
  type: z.literal("event_callback"),
  team_id: id,
  event_id: id,
  event: z.looseObject({ type: z.string().min(1).max(64) }),
});

const MessageEvent = z.looseObject({
  user: id,
  text: z.string().max(40_000),
  ts,
  channel: id,
  thread_ts: ts.optional(),
  channel_type: z.string().max(32).optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
});

const Envelope = z.looseObject({ type: z.string().min(1).max(64) });

function pathOf(issue: z.core.$ZodIssue, prefix: string[]): string {
  return [...prefix, ...issue.path.map(String)].join(".") || "body";
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, prefix: string[]): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new MalformedSlackEvent(
    issue ? `${pathOf(issue, prefix)}: ${issue.message}` : "the body is not a Slack event",
  );
}

export function parseSlackEvent(body: unknown): SlackIntent {
  const envelope = parseOrThrow(Envelope, body, []);
  if (envelope.type === "url_verification")
    return { kind: "url_verification", challenge: parseOrThrow(UrlVerification, body, []).challenge };
  if (envelope.type !== "event_callback")
    return { kind: "ignore", reason: `${envelope.type} is not handled` };
  const callback = parseOrThrow(Callback, body, []);
  const eventId = callback.event_id;
  const teamId = callback.team_id;
  switch (callback.event.type) {
    case "tokens_revoked":
    case "app_uninstalled":
      return { kind: "unlink", account: teamId, eventId };
    case "app_mention":
    case "message":
      return messageIntent(teamId, eventId, callback.event);
    default:
      return { kind: "ignore", reason: `event ${callback.event.type} is not handled`, eventId };
  }
}

function messageIntent(teamId: string, eventId: string, raw: { type: string }): SlackIntent {
  const loose = raw as { bot_id?: unknown; subtype?: unknown; channel_type?: unknown };
  // The app's own messages, edits and joins come as message events too: never act on them.
  if (loose.bot_id !== undefined || loose.subtype !== undefined)
    return { kind: "ignore", reason: "a bot message or a message change", eventId };
  if (raw.type === "message" && loose.channel_type !== "im")
    return { kind: "ignore", reason: "only direct messages are read without a mention", eventId };
  const event = parseOrThrow(MessageEvent, raw, ["event"]);
  const origin: SlackOrigin = {
    teamId,
    channelId: event.channel,
    threadTs: event.thread_ts ?? event.ts,
    messageTs: event.ts,
    direct: event.channel_type === "im",
  };
  const actor = { account: teamId, userId: event.user };
  const text = withoutMentions(event.text);
  if (event.thread_ts && isStopCommand(text)) return { kind: "stop", actor, origin, eventId };
  return { kind: event.thread_ts ? "follow-up" : "start", actor, origin, text, eventId };
}
