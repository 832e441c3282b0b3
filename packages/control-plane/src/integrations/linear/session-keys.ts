/** The Linear values a session DO keeps (declared in session/meta-keys.ts from these schemas). */
import { z } from "zod";

/** The issue (and agent session, when Linear made one) a Linear-started session answers. */
export const LinearBinding = z.object({
  organizationId: z.string().min(1).max(128),
  /** Null for a plain assignment: no agent panel to write to, only the issue's attachment. */
  agentSessionId: z.string().min(1).max(128).nullable(),
  issueId: z.string().min(1).max(128),
});
export type LinearBinding = z.infer<typeof LinearBinding>;

const text = (max: number) => z.string().max(max);

/** An activity waiting in the Linear outbox; its id is fixed when queued, so a resend is not a duplicate. */
export const LinearTask = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("action"),
    id: z.string().uuid(),
    action: text(200),
    parameter: text(2_000),
    result: text(4_000),
  }),
  z.object({
    kind: z.literal("final"),
    id: z.string().uuid(),
    outcome: z.enum(["completed", "failed", "cancelled"]),
    summary: text(20_000).nullable(),
  }),
]);
export type LinearTask = z.infer<typeof LinearTask>;

export const QueuedLinearTask = z.object({ task: LinearTask, attempts: z.number().int().nonnegative() });

/** A tool call between its start and its end: what it was asked, shown with its result. */
export const LinearToolCall = z.record(z.string(), z.object({ name: text(200), parameter: text(2_000) }));
