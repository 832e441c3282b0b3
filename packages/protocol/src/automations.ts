/**
 * Automations: a tenant's standing orders that start sessions without a person at the keyboard —
 * an inbound webhook (`POST /webhooks/in/:id`), a schedule, or a preset for an alerting tool
 * (Sentry issue alerts, GitHub Actions failures). Requests are strict; responses are what the
 * Worker sends. The signing secret is write-only: it is in the answer to create and rotate, once.
 */
import { z } from "zod";
import { AgentName, ModelId, RepoRef } from "./api.ts";
import { SessionStatus } from "./events.ts";

export const AUTOMATION_NAME_MAX = 100;
export const AUTOMATION_TEMPLATE_MAX = 20_000;
export const AUTOMATION_FILTER_MAX = 2_000;
export const AUTOMATION_PATH_MAX = 200;

/** A payload path in the expression language, e.g. "payload.repository.full_name". */
export const PayloadPath = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(AUTOMATION_PATH_MAX)
  // The expression language's parser checks the rest at save (parsePayloadPath).
  .regex(/^payload(?:[.[].*)?$/s, 'must be a payload path like "payload.a.b[0]"');

export const AUTOMATION_TRIGGER_KINDS = ["webhook", "schedule", "sentry", "github_actions"] as const;
export const AutomationTriggerKind = z.enum(AUTOMATION_TRIGGER_KINDS);
export type AutomationTriggerKind = z.infer<typeof AutomationTriggerKind>;

export const AutomationTrigger = z.discriminatedUnion("kind", [
  /** POST /webhooks/in/:id, signed the Standard Webhooks way or carrying a scoped API key. */
  z.strictObject({ kind: z.literal("webhook") }),
  /** A cron expression read in an IANA time zone ("Europe/Berlin"); checked by the schedule parser at save. */
  z.strictObject({
    kind: z.literal("schedule"),
    cron: z.string().trim().min(1, "must not be empty").max(200),
    timezone: z.string().trim().min(1, "must not be empty").max(100).default("UTC"),
  }),
  /** POST /webhooks/in/:id with sentry-hook-signature (the secret is the Sentry integration's client secret). */
  z.strictObject({ kind: z.literal("sentry") }),
  /** POST /webhooks/in/:id with x-hub-signature-256 (a repository or organization webhook on workflow_run). */
  z.strictObject({ kind: z.literal("github_actions") }),
]);
export type AutomationTrigger = z.infer<typeof AutomationTrigger>;

/** Which triggers are delivered to /webhooks/in/:id and so carry a signing secret. */
export function automationHasSecret(kind: AutomationTriggerKind): boolean {
  return kind !== "schedule";
}

export const AutomationRepo = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("fixed"), repo: RepoRef }),
  /** The payload names the repository ("owner/name"); the acting user's write access is checked per run. */
  z.strictObject({ mode: z.literal("payload"), path: PayloadPath }),
]);
export type AutomationRepo = z.infer<typeof AutomationRepo>;

export const AUTOMATION_LIMIT_DEFAULTS = { maxRunsPerHour: 60, maxConcurrent: 3 } as const;

export const AutomationLimits = z.strictObject({
  maxRunsPerHour: z.number().int().min(1).max(1000).default(AUTOMATION_LIMIT_DEFAULTS.maxRunsPerHour),
  /** Sessions this automation started that have not ended yet. */
  maxConcurrent: z.number().int().min(1).max(50).default(AUTOMATION_LIMIT_DEFAULTS.maxConcurrent),
});
export type AutomationLimits = z.infer<typeof AutomationLimits>;

export const Automation = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  trigger: AutomationTrigger,
  repo: AutomationRepo,
  agent: AgentName.optional(),
  model: z.string().optional(),
  promptTemplate: z.string(),
  filter: z.string().optional(),
  dedupeKey: z.string().optional(),
  limits: z.object({ maxRunsPerHour: z.number().int(), maxConcurrent: z.number().int() }),
  /** Whose write access each run is checked against; the creator unless an admin chose someone else. */
  actingUserId: z.string(),
  /** Why it paused itself (3 consecutive failures); cleared on resume. */
  pausedReason: z.string().optional(),
  consecutiveFailures: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastRunAt: z.string().optional(),
  /** Schedules only: when it fires next (absent while paused). */
  nextRunAt: z.string().optional(),
});
export type Automation = z.infer<typeof Automation>;

const AutomationName = z.string().trim().min(1, "must not be empty").max(AUTOMATION_NAME_MAX);
/** Empty is allowed only for presets, which then use their default template. */
const PromptTemplate = z.string().max(AUTOMATION_TEMPLATE_MAX);
const FilterSource = z.string().max(AUTOMATION_FILTER_MAX);
const ActingUserId = z.string().min(1).max(100);

/**
 * A signing secret someone else issued: a Sentry integration's client secret (Sentry makes it; it
 * cannot be set there), or a GitHub webhook secret of one's own. Webhook automations always get a
 * generated `whsec_` secret instead.
 */
export const ProvidedSecret = z
  .string()
  .trim()
  .min(16, "must be at least 16 characters")
  .max(256)
  .regex(/^[\x21-\x7e]+$/, "must be one token of printable characters, without spaces");

/** POST /api/v1/tenants/:tenant/automations */
export const AutomationInput = z.strictObject({
  name: AutomationName,
  enabled: z.boolean().default(true),
  trigger: AutomationTrigger,
  repo: AutomationRepo,
  agent: AgentName.optional(),
  model: ModelId.optional(),
  promptTemplate: PromptTemplate.default(""),
  filter: FilterSource.optional(),
  dedupeKey: PayloadPath.optional(),
  limits: AutomationLimits.default(AUTOMATION_LIMIT_DEFAULTS),
  actingUserId: ActingUserId.optional(),
  /** Sentry and GitHub Actions only: the secret their deliveries are signed with; absent → generated. */
  secret: ProvidedSecret.optional(),
});
export type AutomationInput = z.infer<typeof AutomationInput>;

/** PATCH .../automations/:id — absent keeps a field, null clears an optional one. */
export const AutomationPatch = z.strictObject({
  name: AutomationName.optional(),
  enabled: z.boolean().optional(),
  trigger: AutomationTrigger.optional(),
  repo: AutomationRepo.optional(),
  agent: AgentName.nullable().optional(),
  model: ModelId.nullable().optional(),
  promptTemplate: PromptTemplate.optional(),
  filter: FilterSource.nullable().optional(),
  dedupeKey: PayloadPath.nullable().optional(),
  limits: z
    .strictObject({
      maxRunsPerHour: z.number().int().min(1).max(1000).optional(),
      maxConcurrent: z.number().int().min(1).max(50).optional(),
    })
    .optional(),
  actingUserId: ActingUserId.optional(),
});
export type AutomationPatch = z.infer<typeof AutomationPatch>;

/** POST .../automations/:id/rotate-secret: a preset may be given its provider's new secret. */
export const AutomationRotateSecretRequest = z.strictObject({ secret: ProvidedSecret.optional() });
export type AutomationRotateSecretRequest = z.infer<typeof AutomationRotateSecretRequest>;

/** The answer to create and rotate-secret: the signing secret appears here and nowhere else, ever. */
export const AutomationCreated = z.object({ automation: Automation, secret: z.string().optional() });
export type AutomationCreated = z.infer<typeof AutomationCreated>;

export const ListAutomationsResponse = z.object({ automations: z.array(Automation) });
export type ListAutomationsResponse = z.infer<typeof ListAutomationsResponse>;

export const AUTOMATION_RUN_OUTCOMES = ["started", "skipped", "duplicate", "failed", "rate_limited"] as const;
export const AutomationRunOutcome = z.enum(AUTOMATION_RUN_OUTCOMES);
export type AutomationRunOutcome = z.infer<typeof AutomationRunOutcome>;

export const AutomationRun = z.object({
  id: z.string(),
  automationId: z.string(),
  at: z.string(),
  /** The delivery's id (webhook-id, the dedupe key's value, a preset's natural id, or "manual:…"/"schedule:…"). */
  triggerId: z.string(),
  outcome: AutomationRunOutcome,
  reason: z.string().optional(),
  sessionId: z.string().optional(),
  sessionStatus: SessionStatus.optional(),
});
export type AutomationRun = z.infer<typeof AutomationRun>;

export const AutomationRunsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});
export type AutomationRunsQuery = z.infer<typeof AutomationRunsQuery>;

export const AutomationRunsPage = z.object({
  runs: z.array(AutomationRun),
  nextCursor: z.string().nullable(),
});
export type AutomationRunsPage = z.infer<typeof AutomationRunsPage>;

/** POST .../automations/:id/run ("run now"): a webhook automation may be given a sample payload. */
export const AutomationRunNowRequest = z.strictObject({ payload: z.unknown().optional() });
export type AutomationRunNowRequest = z.infer<typeof AutomationRunNowRequest>;

export const AutomationRunNowResponse = z.object({ run: AutomationRun, sessionId: z.string().optional() });
export type AutomationRunNowResponse = z.infer<typeof AutomationRunNowResponse>;

/** POST .../automations/:id/test: the dashboard's payload tester (a dry run; nothing starts). */
export const AutomationTestRequest = z.strictObject({ payload: z.unknown() });
export type AutomationTestRequest = z.infer<typeof AutomationTestRequest>;

export const AutomationTestResult = z.object({
  matched: z.boolean(),
  reason: z.string().optional(),
  prompt: z.string().optional(),
  repo: z.string().optional(),
  error: z.object({ message: z.string(), position: z.number().int().optional() }).optional(),
});
export type AutomationTestResult = z.infer<typeof AutomationTestResult>;

/** What /webhooks/in/:id answers when it started a session (202). */
export const AutomationDeliveryAccepted = z.object({ sessionId: z.string(), runId: z.string() });
export type AutomationDeliveryAccepted = z.infer<typeof AutomationDeliveryAccepted>;
