/**
 * What an admin does to a saved automation: pause or resume (resume clears the failure count and
 * the pause reason), run now, rotate the signing secret, edit, and delete after confirming.
 */
import { type Automation, type AutomationRun, automationHasSecret } from "@nightshift/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { describeError } from "../api/http-client";
import { RetryAfterNote, useRetryAfter } from "../ui/retry-after";
import {
  automationKeys,
  deleteAutomation,
  rotateAutomationSecret,
  runAutomationNow,
  updateAutomation,
} from "./automations-api";
import { OUTCOME_LABELS } from "./describe";
import { useOneTimeSecret } from "./one-time-secret";

/** What "run now" did: the outcome, why, and the session it started. */
export function RunNowResult({ run }: { run: AutomationRun }) {
  return (
    <p className="small" role="status" data-testid="run-now-result">
      Run now: {OUTCOME_LABELS[run.outcome]}
      {run.reason ? ` — ${run.reason}` : ""}
      {run.sessionId ? (
        <>
          {" · "}
          <Link to={`/sessions/${run.sessionId}`}>open the session</Link>
        </>
      ) : null}
    </p>
  );
}

export function AutomationActions({ automation }: { automation: Automation }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const secrets = useOneTimeSecret();
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const id = automation.id;

  const saved = (next: Automation) => {
    queryClient.setQueryData(automationKeys.detail(id), next);
    void queryClient.invalidateQueries({ queryKey: automationKeys.list });
  };
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => updateAutomation(id, { enabled }),
    onSuccess: saved,
  });
  const runNow = useMutation({
    mutationFn: () => runAutomationNow(id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: automationKeys.runs(id) });
      void queryClient.invalidateQueries({ queryKey: automationKeys.detail(id) });
    },
  });
  const rotate = useMutation({
    mutationFn: () => rotateAutomationSecret(id),
    onSuccess: (res) => {
      saved(res.automation);
      if (res.secret) secrets.hold({ automationId: id, secret: res.secret, rotated: true });
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteAutomation(id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: automationKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: automationKeys.list });
      navigate("/automations");
    },
  });
  const runRetryIn = useRetryAfter(runNow.error);
  const failure = toggle.error ?? rotate.error ?? remove.error ?? runNow.error;
  const run = runNow.data?.run;

  return (
    <div className="automation-actions">
      <div className="form-actions">
        <button
          type="button"
          className="button"
          onClick={() => toggle.mutate(!automation.enabled)}
          disabled={toggle.isPending}
        >
          {automation.enabled ? "Pause" : "Resume"}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => runNow.mutate()}
          disabled={runNow.isPending || runRetryIn > 0}
        >
          {runNow.isPending ? "Starting…" : "Run now"}
        </button>
        {automationHasSecret(automation.trigger.kind) ? (
          <button
            type="button"
            className="button"
            onClick={() => rotate.mutate()}
            disabled={rotate.isPending}
          >
            Rotate secret
          </button>
        ) : null}
        <Link to={`/automations/${id}/edit`} className="button">
          Edit
        </Link>
        {confirmingDelete ? null : (
          <button type="button" className="button button-ghost" onClick={() => setConfirmingDelete(true)}>
            Delete
          </button>
        )}
        <RetryAfterNote seconds={runRetryIn} />
      </div>
      {confirmingDelete ? (
        <fieldset className="confirm">
          <legend className="visually-hidden">Confirm deleting {automation.name}</legend>
          <p>
            Delete <strong>{automation.name}</strong>? Its URL stops taking deliveries and its run history
            goes with it. Sessions it started stay.
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button button-danger"
              onClick={() => remove.mutate()}
              disabled={remove.isPending}
            >
              {remove.isPending ? "Deleting…" : `Yes, delete ${automation.name}`}
            </button>
            <button
              type="button"
              className="button button-ghost"
              onClick={() => setConfirmingDelete(false)}
              disabled={remove.isPending}
            >
              Cancel
            </button>
          </div>
        </fieldset>
      ) : null}
      {run ? <RunNowResult run={run} /> : null}
      {failure ? (
        <p className="form-error" role="alert">
          {describeError(failure)}
        </p>
      ) : null}
    </div>
  );
}
