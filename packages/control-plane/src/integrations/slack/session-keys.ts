/** The Slack values a session DO keeps (declared in session/meta-keys.ts from these schemas). */
import { z } from "zod";

/** The thread a Slack-started session answers in: its origin, linked from the dashboard. */
export const SlackThreadBinding = z.object({
  teamId: z.string().min(1).max(64),
  channelId: z.string().min(1).max(64),
  threadTs: z.string().min(1).max(32),
});
export type SlackThreadBinding = z.infer<typeof SlackThreadBinding>;

/** A reply waiting in the Slack outbox: the status message (rendered when sent) or a turn's summary. */
export const SlackTask = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("status") }),
  z.object({
    kind: z.literal("final"),
    outcome: z.enum(["completed", "failed", "cancelled"]),
    summary: z.string().max(20_000).nullable(),
  }),
]);
export type SlackTask = z.infer<typeof SlackTask>;

export const QueuedSlackTask = z.object({ task: SlackTask, attempts: z.number().int().nonnegative() });
