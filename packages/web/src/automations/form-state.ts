/**
 * The automation form's state, kept as the text a person typed, and its way to a request: the
 * protocol's own schema validates it, the expression language parses the filter and the template
 * (so a mistake is shown at its position before anything is sent), and every problem — ours or the
 * server's 400 — lands on the field it belongs to.
 */
import {
  type AgentName,
  type Automation,
  AutomationInput,
  type AutomationPatch,
  type AutomationTriggerKind,
  parseFilter,
  parseTemplate,
  type RepoRef,
} from "@nightshift/protocol";
import { ApiError } from "../api/http-client";
import { parseRepoInput, type RepoList, repoKey } from "../new-session/repos-api";

export type FieldName =
  | "name"
  | "trigger"
  | "cron"
  | "timezone"
  | "repo"
  | "repoPath"
  | "agent"
  | "model"
  | "promptTemplate"
  | "filter"
  | "dedupeKey"
  | "maxRunsPerHour"
  | "maxConcurrent"
  | "form";

/** A problem with one field; `position` is a 0-based offset into that field's text. */
export type FieldError = { message: string; position?: number };
export type FieldErrors = Partial<Record<FieldName, FieldError>>;

export interface Draft {
  name: string;
  triggerKind: AutomationTriggerKind;
  cron: string;
  timezone: string;
  repoMode: "fixed" | "payload";
  /** A key of the repositories list (`github:owner/name`, `local:path`) when the Worker lists them. */
  repoChoice: string;
  /** Typed by hand when the Worker has no repositories list. */
  manualRepoKind: RepoRef["kind"];
  manualRepo: string;
  repoPath: string;
  agent: AgentName | null;
  model: string;
  promptTemplate: string;
  filter: string;
  dedupeKey: string;
  maxRunsPerHour: string;
  maxConcurrent: string;
  enabled: boolean;
}

/** Where each preset finds the repository: GitHub's payloads name it; a plain webhook usually does not. */
export const PAYLOAD_REPO_PATH = "payload.repository.full_name";

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function emptyDraft(local: boolean): Draft {
  return {
    name: "",
    triggerKind: "webhook",
    cron: "0 9 * * 1",
    timezone: browserTimeZone(),
    repoMode: "fixed",
    repoChoice: "",
    manualRepoKind: local ? "local" : "github",
    manualRepo: "",
    repoPath: PAYLOAD_REPO_PATH,
    agent: null,
    model: "",
    promptTemplate: "",
    filter: "",
    dedupeKey: "",
    maxRunsPerHour: "60",
    maxConcurrent: "3",
    enabled: true,
  };
}

export function draftFromAutomation(a: Automation): Draft {
  const fixed = a.repo.mode === "fixed" ? a.repo.repo : null;
  return {
    name: a.name,
    triggerKind: a.trigger.kind,
    cron: a.trigger.kind === "schedule" ? a.trigger.cron : "0 9 * * 1",
    timezone: a.trigger.kind === "schedule" ? a.trigger.timezone : browserTimeZone(),
    repoMode: a.repo.mode,
    repoChoice: fixed ? repoKey(fixed) : "",
    manualRepoKind: fixed?.kind ?? "github",
    manualRepo: !fixed ? "" : fixed.kind === "local" ? fixed.path : `${fixed.owner}/${fixed.name}`,
    repoPath: a.repo.mode === "payload" ? a.repo.path : PAYLOAD_REPO_PATH,
    agent: a.agent ?? null,
    model: a.model ?? "",
    promptTemplate: a.promptTemplate,
    filter: a.filter ?? "",
    dedupeKey: a.dedupeKey ?? "",
    maxRunsPerHour: String(a.limits.maxRunsPerHour),
    maxConcurrent: String(a.limits.maxConcurrent),
    enabled: a.enabled,
  };
}

/** Presets bring their own prompt; a webhook or a schedule needs one. */
export function templateRequired(kind: AutomationTriggerKind): boolean {
  return kind === "webhook" || kind === "schedule";
}

const TOP_LEVEL: Record<string, FieldName> = {
  name: "name",
  agent: "agent",
  model: "model",
  promptTemplate: "promptTemplate",
  filter: "filter",
  dedupeKey: "dedupeKey",
};

/** The form field an issue path of the request (`trigger.cron`, `limits.maxConcurrent`) belongs to. */
export function fieldOfPath(path: string): FieldName {
  const [head, second] = path.split(".");
  if (head && TOP_LEVEL[head]) return TOP_LEVEL[head];
  if (head === "trigger") return second === "cron" ? "cron" : second === "timezone" ? "timezone" : "trigger";
  if (head === "repo") return second === "path" ? "repoPath" : "repo";
  if (head === "limits") return second === "maxConcurrent" ? "maxConcurrent" : "maxRunsPerHour";
  return "form";
}

/** The expression language ends its messages with the offset ("… at 17"); some servers say "position 17". */
export function positionIn(message: string): number | undefined {
  const m = /\b(?:at|position)\s+(\d+)\s*\)?\.?\s*$/.exec(message);
  return m ? Number(m[1]) : undefined;
}

function withPosition(message: string, position?: number): FieldError {
  const at = position ?? positionIn(message);
  return at === undefined ? { message } : { message, position: at };
}

/** A save's failure spread over the fields: each issue of a 400 beside its field, anything else on the form. */
export function fieldErrorsFromApi(err: unknown): FieldErrors {
  if (!(err instanceof ApiError) || err.status !== 400) return {};
  const errors: FieldErrors = {};
  for (const issue of err.issues ?? []) {
    const field = fieldOfPath(issue.path);
    errors[field] ??= withPosition(issue.message);
  }
  if (Object.keys(errors).length > 0) return errors;
  // No issues list: a message that names a field first ("filter: … at 12") still goes beside it.
  const named = /^(?:invalid [a-z ]+: )?([a-zA-Z]+(?:\.[a-zA-Z]+)*):\s*(.+)$/.exec(err.message);
  if (named?.[1] && named[2]) {
    const field = fieldOfPath(named[1]);
    if (field !== "form") return { [field]: withPosition(named[2]) };
  }
  return { form: withPosition(err.message) };
}

function chosenRepo(
  draft: Draft,
  repos: RepoList,
): { ok: true; repo: RepoRef } | { ok: false; message: string } {
  if (repos.available) {
    const entry = repos.repos.find((r) => repoKey(r.repo) === draft.repoChoice);
    return entry ? { ok: true, repo: entry.repo } : { ok: false, message: "Choose a repository." };
  }
  return parseRepoInput(draft.manualRepoKind, draft.manualRepo);
}

function limit(text: string): number | string {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : t;
}

export type BuiltInput = { ok: true; input: AutomationInput } | { ok: false; errors: FieldErrors };

/** The create request the draft stands for, or every problem with it, each on its field. */
export function buildInput(draft: Draft, repos: RepoList): BuiltInput {
  const errors: FieldErrors = {};
  let repo: unknown = { mode: "payload", path: draft.repoPath };
  if (draft.repoMode === "fixed") {
    const picked = chosenRepo(draft, repos);
    if (picked.ok) repo = { mode: "fixed", repo: picked.repo };
    else errors.repo = { message: picked.message };
  }
  const trigger =
    draft.triggerKind === "schedule"
      ? { kind: "schedule", cron: draft.cron, timezone: draft.timezone }
      : { kind: draft.triggerKind };
  const parsed = AutomationInput.safeParse({
    name: draft.name,
    enabled: draft.enabled,
    trigger,
    repo,
    ...(draft.agent ? { agent: draft.agent } : {}),
    ...(draft.model.trim() ? { model: draft.model.trim() } : {}),
    promptTemplate: draft.promptTemplate,
    ...(draft.filter.trim() ? { filter: draft.filter } : {}),
    ...(draft.dedupeKey.trim() ? { dedupeKey: draft.dedupeKey } : {}),
    limits: { maxRunsPerHour: limit(draft.maxRunsPerHour), maxConcurrent: limit(draft.maxConcurrent) },
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOfPath(issue.path.join("."));
      errors[field] ??= { message: issue.message };
    }
  }
  if (!draft.promptTemplate.trim() && templateRequired(draft.triggerKind)) {
    errors.promptTemplate ??= { message: "Write the prompt the agent gets." };
  } else if (draft.promptTemplate.trim()) {
    const template = parseTemplate(draft.promptTemplate);
    if (!template.ok) errors.promptTemplate ??= withPosition(template.error.message, template.error.position);
  }
  if (draft.filter.trim()) {
    const filter = parseFilter(draft.filter);
    if (!filter.ok) errors.filter ??= withPosition(filter.error.message, filter.error.position);
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: parsed.data };
}

/** An edit as a PATCH: every writable field, and null for an optional one the form left empty. */
export function patchFromInput(input: AutomationInput): AutomationPatch {
  return {
    name: input.name,
    trigger: input.trigger,
    repo: input.repo,
    agent: input.agent ?? null,
    model: input.model ?? null,
    promptTemplate: input.promptTemplate,
    filter: input.filter ?? null,
    dedupeKey: input.dedupeKey ?? null,
    limits: input.limits,
  };
}
