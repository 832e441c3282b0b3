/**
 * The Sentry preset: an issue alert (`Sentry-Hook-Resource: event_alert`, action `triggered`)
 * from a Sentry internal integration made available as an alert rule action. The shape is the one
 * Sentry documents (docs/organization/integrations/integration-platform/webhooks/issue-alerts in
 * getsentry/sentry-docs): the event that fired the rule is `data.event`, with `issue_id`, `title`,
 * `culprit`, `level`, `web_url` and the API `url` that names the project. Parsing is loose: Sentry
 * adds fields over time, and only what the prompt needs is read.
 */
import { z } from "zod";
import { boundedVar, httpUrl } from "./vars";

const Id = z.union([z.string().min(1).max(100), z.number().int().nonnegative()]).transform(String);

const SentryEvent = z.looseObject({
  event_id: Id.optional(),
  issue_id: Id.optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  culprit: z.string().nullish(),
  level: z.string().nullish(),
  platform: z.string().nullish(),
  environment: z.string().nullish(),
  project: Id.optional(),
  url: z.string().nullish(),
  web_url: z.string().nullish(),
  issue_url: z.string().nullish(),
  metadata: z.looseObject({ type: z.string().nullish(), value: z.string().nullish() }).nullish(),
});

const SentryIssueAlert = z.looseObject({
  action: z.string(),
  data: z.looseObject({
    event: SentryEvent,
    triggered_rule: z.string().nullish(),
  }),
});

/** `{{preset.<name>}}` in a Sentry automation's template. */
export type SentryVars = {
  title: string;
  culprit: string;
  /** The event's page in Sentry (http(s) only), else the issue's API URL, else "". */
  url: string;
  level: string;
  /** The project's slug, else its numeric id. */
  project: string;
  issueId: string;
  eventId: string;
  /** "Type: value" of the error, from Sentry's grouping metadata. */
  error: string;
  platform: string;
  environment: string;
  /** The alert rule that fired. */
  rule: string;
};

export type SentryRun = { ok: true; triggerId: string; vars: SentryVars } | { ok: false; skip: string };

/**
 * What a Sentry delivery asks for. One session per Sentry issue: the trigger id is the issue's
 * (an alert that fires again for the same issue is a duplicate); without an issue id, the event's.
 */
export function sentryRun(payload: unknown): SentryRun {
  const parsed = SentryIssueAlert.safeParse(payload);
  if (!parsed.success)
    return {
      ok: false,
      skip: "not a Sentry issue alert (an event_alert delivery with data.event); check the integration's alert rule action",
    };
  const { action, data } = parsed.data;
  if (action !== "triggered")
    return { ok: false, skip: `the Sentry alert was ${boundedVar(action, 40)}, not triggered` };
  const event = data.event;
  const triggerId = event.issue_id
    ? `sentry-issue:${event.issue_id}`
    : event.event_id
      ? `sentry-event:${event.event_id}`
      : undefined;
  if (!triggerId) return { ok: false, skip: "the Sentry alert names neither an issue nor an event" };
  const title = event.title || event.message || errorOf(event) || "an error";
  const vars: SentryVars = {
    title: boundedVar(title),
    culprit: boundedVar(event.culprit ?? ""),
    url: httpUrl(event.web_url) ?? httpUrl(event.issue_url) ?? "",
    level: boundedVar(event.level ?? "error", 40),
    project: boundedVar(projectOf(event), 200),
    issueId: event.issue_id ?? "",
    eventId: event.event_id ?? "",
    error: boundedVar(errorOf(event)),
    platform: boundedVar(event.platform ?? "", 60),
    environment: boundedVar(event.environment ?? "", 200),
    rule: boundedVar(data.triggered_rule ?? "", 200),
  };
  return { ok: true, triggerId, vars };
}

/** The project's slug from the event's API URL (`/api/0/projects/<org>/<project>/events/…`), else its id. */
function projectOf(event: z.infer<typeof SentryEvent>): string {
  const url = httpUrl(event.url);
  if (url) {
    const segments = new URL(url).pathname.split("/").filter(Boolean);
    const at = segments.indexOf("projects");
    const slug = at >= 0 ? segments[at + 2] : undefined;
    if (slug) return slug;
  }
  return event.project ?? "";
}

/** "ReferenceError: heck is not defined", from the grouping metadata. */
function errorOf(event: z.infer<typeof SentryEvent>): string {
  const type = event.metadata?.type ?? "";
  const value = event.metadata?.value ?? "";
  return type && value ? `${type}: ${value}` : type || value;
}

/** The prompt a Sentry automation uses when its own template is left empty. */
export const SENTRY_DEFAULT_TEMPLATE = `Sentry reported an error in {{preset.project}} (level: {{preset.level}}):

{{preset.title}}

Where: {{preset.culprit}}
Sentry issue: {{preset.url}}

Find the root cause of this error in the repository and fix it. Add a test that fails without the fix \
and passes with it. Keep the change focused on this error, and explain the cause in the commit message.`;
