/** Frames on the watchers' WebSocket (dashboard, API clients): /api/v1/sessions/:id/stream?after=<seq>. */
import { z } from "zod";
import { ErrorCode } from "./errors.ts";
import { StoredEvent } from "./events.ts";

const v = z.literal(1);

export const ClientFrame = z.discriminatedUnion("type", [
  z.strictObject({ v, type: z.literal("ping"), nonce: z.string().max(100).optional() }),
  z.strictObject({ v, type: z.literal("typing"), typing: z.boolean() }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/**
 * The close codes the Worker sends on this socket. Neither means "give up": a client still
 * watching reconnects and resumes from its cursor. A refusal (not signed in, no such session)
 * is the HTTP answer to the upgrade, never a close code.
 */
export const ClientCloseCode = {
  /** The server's answer to the client's own close. */
  normal: 1000,
  /** A frame could not be delivered ("try again later"): reconnect from the last seq received. */
  resume: 1013,
} as const;
export type ClientCloseCode = (typeof ClientCloseCode)[keyof typeof ClientCloseCode];

export const Participant = z.object({
  id: z.string(),
  name: z.string(),
  typing: z.boolean(),
  connectedAt: z.string(),
});
export type Participant = z.infer<typeof Participant>;

export const ServerFrame = z.discriminatedUnion("type", [
  /** One or more consecutive events, in seq order. Live events are coalesced under load. */
  z.object({ v, type: z.literal("events"), events: z.array(StoredEvent) }),
  /** Sent once after the backlog: every event up to `lastSeq` has been delivered. */
  z.object({ v, type: z.literal("replay.done"), lastSeq: z.number().int().nonnegative() }),
  z.object({ v, type: z.literal("presence"), you: z.string(), participants: z.array(Participant) }),
  z.object({ v, type: z.literal("pong"), nonce: z.string().optional() }),
  z.object({ v, type: z.literal("error"), code: ErrorCode, message: z.string() }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
