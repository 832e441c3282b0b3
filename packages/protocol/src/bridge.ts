/**
 * Frames on the sandbox bridge: the runtime's outbound WebSocket to /sandbox/connect.
 * Runtime events carry a sandbox-side `seq`; the DO acks the highest one it has stored,
 * and the runtime resends everything after the last ack whenever it reconnects.
 */
import { z } from "zod";
import { ErrorCode } from "./errors.ts";
import { AgentEvent } from "./events.ts";

const v = z.literal(1);

export const WorkspaceReport = z.strictObject({
  start: z.enum(["cold", "warm", "prebuild"]),
  head: z
    .string()
    .regex(/^[0-9a-f]{40,64}$/)
    .nullable(),
});
export type WorkspaceReport = z.infer<typeof WorkspaceReport>;
const seq = z.number().int().positive();

export const RuntimeFrame = z.discriminatedUnion("type", [
  z.strictObject({
    v,
    type: z.literal("hello"),
    runtimeVersion: z.string().max(50),
    /** Highest sandbox seq the runtime has produced so far (0 on a fresh start). */
    lastSeq: z.number().int().nonnegative(),
  }),
  z.strictObject({
    v,
    type: z.literal("events"),
    events: z
      .array(z.strictObject({ seq, event: AgentEvent }))
      .min(1)
      .max(500),
  }),
  z.strictObject({ v, type: z.literal("heartbeat") }),
  /**
   * The runtime finished preparing the workspace and can take prompts. `workspace`: how it was
   * prepared (cloned, from a warm snapshot, or as a prebuild) and the commit it is at.
   */
  z.strictObject({ v, type: z.literal("ready"), workspace: WorkspaceReport.optional() }),
]);
export type RuntimeFrame = z.infer<typeof RuntimeFrame>;

export const ControlFrame = z.discriminatedUnion("type", [
  /** Answer to hello: the highest runtime seq already stored; resend everything after it. */
  z.object({ v, type: z.literal("welcome"), ackedSeq: z.number().int().nonnegative() }),
  z.object({ v, type: z.literal("ack"), seq: z.number().int().nonnegative() }),
  z.object({
    v,
    type: z.literal("prompt"),
    promptId: z.string(),
    text: z.string(),
    author: z.object({ name: z.string(), email: z.string() }),
  }),
  /** Cancel the running turn (if any); the sandbox stays up for the next prompt. */
  z.object({ v, type: z.literal("cancel"), promptId: z.string().optional() }),
  /** Stop for good: cancel, flush, exit. */
  z.object({ v, type: z.literal("shutdown"), reason: z.string() }),
  z.object({ v, type: z.literal("error"), code: ErrorCode, message: z.string() }),
  /**
   * A renewed sandbox token (same session and incarnation, later expiry), sent well before the
   * current one expires. The runtime uses the newest one for reconnects and git credentials.
   */
  z.object({
    v,
    type: z.literal("token"),
    token: z.string().min(1).max(4096),
    expiresAt: z.string().datetime(),
  }),
]);
export type ControlFrame = z.infer<typeof ControlFrame>;

/** WebSocket close codes used on the bridge (4000-4999 is the application range). */
export const BridgeCloseCode = {
  /** The runtime stopped for good, its events flushed (it does not redial). */
  normal: 1000,
  /** Token invalid, expired, or for another session. Do not retry. */
  unauthorized: 4001,
  /** A newer sandbox incarnation owns this session. Do not retry. */
  superseded: 4009,
  /** The session is over. Do not retry. */
  sessionEnded: 4010,
  /** Protocol violation. */
  badFrame: 4400,
} as const;
