/**
 * Save-time checks of an automation's definition, beyond the request schema: the filter and the
 * template parse (a 400 names the field and the 0-based position of the mistake), payload paths
 * parse, a schedule's cron and time zone are valid, and a preset's empty prompt becomes its
 * default template. Pure: the service applies these before anything is written.
 */
import {
  type AutomationTrigger,
  type ExprError,
  parseFilter,
  parsePayloadPath,
  parseTemplate,
} from "@nightshift/protocol";
import { AppError } from "../http/app-error";
import { GITHUB_ACTIONS_DEFAULT_TEMPLATE } from "./presets/github-actions";
import { SENTRY_DEFAULT_TEMPLATE } from "./presets/sentry";
import { validateSchedule } from "./schedule";

/** The parts of a definition that are checked together. */
export interface Definition {
  trigger: AutomationTrigger;
  promptTemplate: string;
  filter: string | null;
  dedupeKey: string | null;
  repoPath: string | null;
}

function invalidAt(field: string, error: ExprError): AppError {
  const message = `${error.message} (at position ${error.position})`;
  return new AppError("invalid_request", `invalid body: ${field}: ${message}`, [{ path: field, message }]);
}

function invalid(field: string, message: string): AppError {
  return new AppError("invalid_request", `invalid body: ${field}: ${message}`, [{ path: field, message }]);
}

/** The template a preset runs when its automation's prompt is left empty; null for the others. */
export function defaultTemplateFor(trigger: AutomationTrigger): string | null {
  if (trigger.kind === "sentry") return SENTRY_DEFAULT_TEMPLATE;
  if (trigger.kind === "github_actions") return GITHUB_ACTIONS_DEFAULT_TEMPLATE;
  return null;
}

/** Throws the 400 for the first problem; returns the prompt template to store. */
export function checkDefinition(d: Definition): { promptTemplate: string } {
  if (d.trigger.kind === "schedule") {
    const check = validateSchedule(d.trigger.cron, d.trigger.timezone);
    if (!check.ok) throw invalid("trigger.cron", check.message);
  }
  const promptTemplate = d.promptTemplate.trim() === "" ? defaultTemplateFor(d.trigger) : d.promptTemplate;
  if (promptTemplate === null)
    throw invalid("promptTemplate", "must not be empty: write the prompt the session starts with");
  const template = parseTemplate(promptTemplate);
  if (!template.ok) throw invalidAt("promptTemplate", template.error);
  if (d.filter !== null) {
    const filter = parseFilter(d.filter);
    if (!filter.ok) throw invalidAt("filter", filter.error);
  }
  for (const [field, path] of [
    ["dedupeKey", d.dedupeKey],
    ["repo.path", d.repoPath],
  ] as const) {
    if (path === null) continue;
    const parsed = parsePayloadPath(path);
    if (!parsed.ok) throw invalidAt(field, parsed.error);
  }
  return { promptTemplate };
}
