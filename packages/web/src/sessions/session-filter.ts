/** Client-side narrowing of a sessions page: trigger and free-text search (status is server-side). */
import type { Session, Trigger } from "@nightshift/protocol";
import { agentLabel } from "../ui/agent-label";
import { formatRepo } from "../ui/format";

export interface SessionFilter {
  trigger: Trigger | null;
  search: string;
}

export function matchesFilter(s: Session, f: SessionFilter): boolean {
  if (f.trigger && s.trigger !== f.trigger) return false;
  const words = f.search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [
    s.title,
    formatRepo(s.repo),
    s.agent,
    // As the list shows it ("Gemini CLI"), so what a person reads is what they can search for.
    agentLabel(s.agent),
    s.model ?? "",
    s.createdBy,
    s.branch,
    s.status,
    s.trigger,
  ]
    .join(" ")
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export const TRIGGER_LABELS: Record<Trigger, string> = {
  web: "Web",
  api: "API",
  github: "GitHub",
  slack: "Slack",
  linear: "Linear",
  webhook: "Webhook",
  schedule: "Schedule",
};
