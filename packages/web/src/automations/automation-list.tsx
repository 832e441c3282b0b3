/**
 * The Automations list: name, trigger (a schedule in words), repository, active or paused (with
 * the reason when it paused itself), the last run's outcome and the next run. Admins get the way
 * to a new one; members read.
 */
import type { Automation } from "@nightshift/protocol";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { formatRelative } from "../ui/format";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import { automationKeys, listAutomationRuns, listAutomations } from "./automations-api";
import { describeRepo, describeTrigger, formatWhen } from "./describe";
import { OutcomeBadge } from "./run-history";

const REFRESH_MS = 10_000;

export function AutomationState({ automation }: { automation: Automation }) {
  if (automation.enabled) return <span className="badge badge-running">active</span>;
  return (
    <>
      <span className="badge badge-paused">paused</span>
      {automation.pausedReason ? (
        <span className="paused-reason small" data-testid="paused-reason">
          {" "}
          {automation.pausedReason}
        </span>
      ) : null}
    </>
  );
}

/** The newest run's outcome; asked only for automations that ran, and again only when they run again. */
function LastRun({ automation, now }: { automation: Automation; now: number }) {
  const at = automation.lastRunAt;
  const last = useQuery({
    queryKey: automationKeys.lastRun(automation.id, at ?? ""),
    queryFn: ({ signal }) => listAutomationRuns(automation.id, null, signal, 1),
    enabled: at !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (!at) return <span className="muted">never</span>;
  const run = last.data?.runs[0];
  return (
    <>
      {run ? <OutcomeBadge outcome={run.outcome} /> : null}
      <time className="muted small" dateTime={at} title={formatWhen(at)}>
        {" "}
        {formatRelative(at, now)}
      </time>
    </>
  );
}

export function AutomationList({ admin }: { admin: boolean }) {
  const list = useQuery({
    queryKey: automationKeys.list,
    queryFn: ({ signal }) => listAutomations(signal),
    refetchInterval: REFRESH_MS,
    refetchIntervalInBackground: false,
  });
  const now = Date.now();
  return (
    <section aria-labelledby="automations-title">
      <div className="page-head">
        <h1 id="automations-title">Automations</h1>
        {admin ? (
          <Link to="/automations/new" className="button button-primary">
            New automation
          </Link>
        ) : null}
      </div>
      {admin ? null : <p className="muted small">Automations are managed by admins; you can read them.</p>}
      {list.isPending ? (
        <Loading label="Loading automations…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No automations yet">
          <p>
            An automation starts sessions from a webhook, a schedule, a Sentry alert or a failed GitHub
            Actions run.
            {admin ? (
              <>
                {" "}
                <Link to="/automations/new">Create one</Link>.
              </>
            ) : null}
          </p>
        </EmptyState>
      ) : (
        <table className="sessions-table automations-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Trigger</th>
              <th scope="col">Repository</th>
              <th scope="col">State</th>
              <th scope="col">Last run</th>
              <th scope="col">Next run</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((a) => {
              const trigger = describeTrigger(a.trigger);
              return (
                <tr key={a.id} data-automation-id={a.id}>
                  <td data-label="Name">
                    <Link to={`/automations/${a.id}`} className="session-title">
                      {a.name}
                    </Link>
                  </td>
                  <td data-label="Trigger">
                    {trigger.kind}
                    {trigger.detail ? <span className="muted small"> · {trigger.detail}</span> : null}
                  </td>
                  <td data-label="Repository" className="mono">
                    {describeRepo(a.repo)}
                  </td>
                  <td data-label="State">
                    <AutomationState automation={a} />
                  </td>
                  <td data-label="Last run" className="nowrap">
                    <LastRun automation={a} now={now} />
                  </td>
                  <td data-label="Next run" className="nowrap">
                    {a.nextRunAt ? (
                      <time dateTime={a.nextRunAt}>{formatWhen(a.nextRunAt)}</time>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
