/** How an automation's trigger, repository and runs read in the dashboard. */
import type {
  AutomationRepo,
  AutomationRunOutcome,
  AutomationTrigger,
  AutomationTriggerKind,
} from "@nightshift/protocol";
import { toString as cronToWords } from "cronstrue";
import { formatRepo } from "../ui/format";

export const TRIGGER_KIND_LABELS: Record<AutomationTriggerKind, string> = {
  webhook: "Webhook",
  schedule: "Schedule",
  sentry: "Sentry issue alert",
  github_actions: "GitHub Actions failure",
};

export const OUTCOME_LABELS: Record<AutomationRunOutcome, string> = {
  started: "Started",
  skipped: "Skipped",
  duplicate: "Duplicate",
  failed: "Failed",
  rate_limited: "Rate limited",
};

/** "At 09:00, only on Monday"; null when the expression cannot be read (the server has the last word). */
export function scheduleInWords(cron: string): string | null {
  try {
    return cronToWords(cron, { use24HourTimeFormat: true, throwExceptionOnParseError: true, verbose: false });
  } catch {
    return null;
  }
}

/** The trigger kind, and for a schedule when it fires and in which time zone. */
export function describeTrigger(trigger: AutomationTrigger): { kind: string; detail: string | null } {
  if (trigger.kind !== "schedule") return { kind: TRIGGER_KIND_LABELS[trigger.kind], detail: null };
  const words = scheduleInWords(trigger.cron) ?? trigger.cron;
  return { kind: TRIGGER_KIND_LABELS.schedule, detail: `${words} (${trigger.timezone})` };
}

export function describeRepo(repo: AutomationRepo): string {
  return repo.mode === "fixed" ? formatRepo(repo.repo) : `from the payload: ${repo.path}`;
}

/** An absolute time the way the rest of the dashboard shows one. */
export function formatWhen(iso: string | undefined): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "—" : new Date(t).toLocaleString();
}
