/**
 * The payload tester: paste a sample delivery, see whether the filter lets it through and the
 * prompt the agent would get. A saved automation is tried by the Worker (a dry run: nothing
 * starts); a form not saved yet is tried in the browser with the same expression functions.
 */
import type { AutomationTestResult } from "@nightshift/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { describeError } from "../api/http-client";
import { RunNowResult } from "./automation-actions";
import { automationKeys, runAutomationNow, testAutomation } from "./automations-api";
import { FieldErrorText } from "./field-error";
import type { Draft } from "./form-state";
import { parseSample, testDraft } from "./local-test";

export type TesterTarget = { kind: "saved"; automationId: string } | { kind: "draft"; draft: Draft };

function TestOutcome({ result }: { result: AutomationTestResult }) {
  const errorId = useId();
  return (
    <div className="card tester-result" data-testid="tester-result" aria-live="polite">
      <p>
        <span className={`badge ${result.matched ? "badge-completed" : "badge-paused"}`}>
          {result.matched ? "Matched" : "Skipped"}
        </span>
        {result.reason ? <span className="muted"> {result.reason}</span> : null}
      </p>
      {result.error ? <FieldErrorText id={errorId} error={result.error} /> : null}
      {result.repo ? (
        <p className="small">
          Repository: <code>{result.repo}</code>
        </p>
      ) : null}
      {result.prompt !== undefined ? (
        <>
          <p className="small muted">The prompt the agent would get:</p>
          <pre className="rendered-prompt" data-testid="rendered-prompt">
            {result.prompt}
          </pre>
        </>
      ) : null}
    </div>
  );
}

export function PayloadTester({ target, runnable = false }: { target: TesterTarget; runnable?: boolean }) {
  const sampleId = useId();
  const [sample, setSample] = useState("");
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [localResult, setLocalResult] = useState<AutomationTestResult | null>(null);
  const queryClient = useQueryClient();
  const remote = useMutation({
    mutationFn: (payload: unknown) =>
      target.kind === "saved" ? testAutomation(target.automationId, payload) : Promise.reject(),
  });
  // A real run with the sample, for an admin who has seen what it would do.
  const runWith = useMutation({
    mutationFn: (payload: unknown) =>
      target.kind === "saved" ? runAutomationNow(target.automationId, payload) : Promise.reject(),
    onSuccess: () => {
      if (target.kind === "saved")
        void queryClient.invalidateQueries({ queryKey: automationKeys.runs(target.automationId) });
    },
  });

  function sampleOrSay(): { payload: unknown } | null {
    const parsed = parseSample(sample);
    if (!parsed.ok) {
      setSampleError(parsed.message);
      setLocalResult(null);
      remote.reset();
      return null;
    }
    setSampleError(null);
    return { payload: parsed.payload };
  }

  function run() {
    const parsed = sampleOrSay();
    if (!parsed) return;
    if (target.kind === "saved") remote.mutate(parsed.payload);
    else setLocalResult(testDraft(target.draft, parsed.payload));
  }

  function runForReal() {
    const parsed = sampleOrSay();
    if (parsed) runWith.mutate(parsed.payload);
  }

  const result = target.kind === "saved" ? (remote.data ?? null) : localResult;
  return (
    // Not a <form>: the tester sits inside the automation form, and forms cannot nest.
    <section className="tester" aria-label="Payload tester">
      <h2 className="h3">Payload tester</h2>
      <p className="muted small">
        {target.kind === "saved"
          ? "Paste a sample delivery: the server checks it against the saved automation. Nothing starts."
          : "Paste a sample delivery to check the filter and the template as they are in the form. Nothing is sent."}
      </p>
      <div className="field">
        <label htmlFor={sampleId}>Sample payload (JSON)</label>
        <textarea
          id={sampleId}
          className="mono"
          rows={6}
          value={sample}
          onChange={(e) => setSample(e.target.value)}
          placeholder={'{"action": "opened", "repository": {"full_name": "acme/api"}}'}
          spellCheck={false}
          aria-invalid={sampleError ? true : undefined}
        />
        {sampleError ? (
          <span className="field-error" role="alert">
            {sampleError}
          </span>
        ) : null}
      </div>
      <div className="form-actions">
        {target.kind === "saved" && runnable ? (
          <button type="button" className="button" onClick={runForReal} disabled={runWith.isPending}>
            {runWith.isPending ? "Starting…" : "Run now with this payload"}
          </button>
        ) : null}
        <button type="button" className="button" onClick={run} disabled={remote.isPending}>
          {remote.isPending ? "Testing…" : "Test payload"}
        </button>
      </div>
      {remote.isError || runWith.isError ? (
        <p className="form-error" role="alert">
          {describeError(remote.error ?? runWith.error)}
        </p>
      ) : null}
      {result ? <TestOutcome result={result} /> : null}
      {runWith.data ? <RunNowResult run={runWith.data.run} /> : null}
    </section>
  );
}
