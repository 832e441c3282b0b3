/** The trigger part of the automation form: its kind, and for a schedule the cron and time zone. */
import { AUTOMATION_TRIGGER_KINDS, type AutomationTriggerKind } from "@nightshift/protocol";
import { useId, useMemo } from "react";
import { scheduleInWords, TRIGGER_KIND_LABELS } from "./describe";
import { FormField } from "./form-field";
import type { Draft, FieldErrors } from "./form-state";

const KIND_HINTS: Record<AutomationTriggerKind, string> = {
  webhook: "Any system starts a run by POSTing JSON to its URL, signed with its secret.",
  schedule: "Runs on a cron schedule in a time zone; a missed time after downtime is skipped, not made up.",
  sentry:
    "A Sentry internal integration sends issue alerts; the prompt gets the issue's title, culprit and link.",
  github_actions:
    "A GitHub webhook on workflow runs; a failed run starts a session on its branch to fix the build.",
};

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
}

/**
 * A GitHub Actions failure names its repository, so an org-wide webhook serves them all: the
 * repository comes from the payload unless one was already picked.
 */
function kindChange(draft: Draft, kind: AutomationTriggerKind): Partial<Draft> {
  const nothingPicked = !draft.repoChoice && !draft.manualRepo.trim();
  return kind === "github_actions" && nothingPicked
    ? { triggerKind: kind, repoMode: "payload" }
    : { triggerKind: kind };
}

export function TriggerFields({
  draft,
  errors,
  onChange,
  kindLocked,
}: {
  draft: Draft;
  errors: FieldErrors;
  onChange(patch: Partial<Draft>): void;
  /** Editing keeps the kind: a webhook's secret means nothing to a schedule. */
  kindLocked: boolean;
}) {
  const zonesId = useId();
  const zones = useMemo(timeZones, []);
  const words = draft.triggerKind === "schedule" ? scheduleInWords(draft.cron) : null;
  return (
    <>
      <fieldset className="field">
        <legend>Trigger</legend>
        <div className="segmented" role="radiogroup" aria-label="Trigger">
          {AUTOMATION_TRIGGER_KINDS.map((kind) => (
            <label key={kind}>
              <input
                type="radio"
                name="trigger-kind"
                value={kind}
                checked={draft.triggerKind === kind}
                disabled={kindLocked && draft.triggerKind !== kind}
                onChange={() => onChange(kindChange(draft, kind))}
              />
              {TRIGGER_KIND_LABELS[kind]}
            </label>
          ))}
        </div>
        <span className="muted small">{KIND_HINTS[draft.triggerKind]}</span>
        {errors.trigger ? (
          <span className="field-error" role="alert">
            {errors.trigger.message}
          </span>
        ) : null}
      </fieldset>
      {draft.triggerKind === "schedule" ? (
        <div className="field-row">
          <FormField
            label="Cron expression"
            hint={words ?? "minute hour day-of-month month day-of-week, e.g. 0 9 * * 1"}
            error={errors.cron}
            source={draft.cron}
          >
            {(control) => (
              <input
                {...control}
                value={draft.cron}
                onChange={(e) => onChange({ cron: e.target.value })}
                spellCheck={false}
                autoComplete="off"
                className="mono"
              />
            )}
          </FormField>
          <FormField label="Time zone" error={errors.timezone}>
            {(control) => (
              <>
                <input
                  {...control}
                  list={zonesId}
                  value={draft.timezone}
                  onChange={(e) => onChange({ timezone: e.target.value })}
                  spellCheck={false}
                  autoComplete="off"
                />
                <datalist id={zonesId}>
                  {zones.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </FormField>
        </div>
      ) : null}
    </>
  );
}
