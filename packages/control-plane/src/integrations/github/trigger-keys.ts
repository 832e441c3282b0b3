/**
 * What makes two GitHub deliveries the same trigger, read from the payload: the comment an
 * @mention was made in, or one labelling of an issue. A duplicated event that arrives under a
 * new delivery id has the same key and starts nothing a second time.
 */
import { z } from "zod";
import type { WebhookAction } from "../../github/webhook-router";

const Comment = z.looseObject({ comment: z.looseObject({ id: z.number().int().positive() }) });

const Labeled = z.looseObject({
  repository: z.looseObject({ id: z.number().int().positive() }),
  issue: z.looseObject({
    number: z.number().int().positive(),
    // Set when the label was applied: a duplicate repeats it, labelling the issue again changes it.
    updated_at: z.string().max(64).optional(),
  }),
  label: z.looseObject({ name: z.string().max(100) }).optional(),
});

/** The idempotency key of a trigger (an issue label or a mention), or null for other actions. */
export function triggerKeyOf(event: string, action: WebhookAction, payload: unknown): string | null {
  if (action.kind === "mention") {
    const p = Comment.safeParse(payload);
    return p.success ? `${event}:${p.data.comment.id}` : null;
  }
  if (action.kind === "issue.labeled") {
    const p = Labeled.safeParse(payload);
    if (!p.success) return null;
    const label = p.data.label?.name.toLowerCase() ?? "";
    return `issues.labeled:${p.data.repository.id}#${p.data.issue.number}:${label}@${p.data.issue.updated_at ?? ""}`;
  }
  return null;
}
