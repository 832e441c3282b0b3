/**
 * An automation's runs, newest first, paged with the server's cursor: when, what delivery, the
 * outcome and why, and the session it started. Refreshed while visible so a delivery shows up.
 */
import type { AutomationRun } from "@nightshift/protocol";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { formatRelative } from "../ui/format";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import { StatusBadge } from "../ui/status-badge";
import { automationKeys, listAutomationRuns } from "./automations-api";
import { formatWhen, OUTCOME_LABELS } from "./describe";

const REFRESH_MS = 5_000;

export function OutcomeBadge({ outcome }: { outcome: AutomationRun["outcome"] }) {
  return <span className={`outcome outcome-${outcome}`}>{OUTCOME_LABELS[outcome]}</span>;
}

export function RunHistory({ automationId }: { automationId: string }) {
  const runs = useInfiniteQuery({
    queryKey: automationKeys.runs(automationId),
    queryFn: ({ pageParam, signal }) => listAutomationRuns(automationId, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: REFRESH_MS,
    refetchIntervalInBackground: false,
  });
  const now = Date.now();

  return (
    <section aria-labelledby="runs-title" className="run-history">
      <h2 id="runs-title" className="h3">
        Run history
      </h2>
      {runs.isPending ? (
        <Loading label="Loading runs…" />
      ) : runs.isError ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
      ) : runs.data.pages[0]?.runs.length === 0 ? (
        <EmptyState title="No runs yet">
          <p className="muted">Each delivery, schedule firing or “Run now” shows up here.</p>
        </EmptyState>
      ) : (
        <table className="sessions-table runs-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Outcome</th>
              <th scope="col">Reason</th>
              <th scope="col">Delivery</th>
              <th scope="col">Session</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.pages
              .flatMap((p) => p.runs)
              .map((run) => (
                <tr key={run.id} data-run-id={run.id}>
                  <td data-label="When" className="nowrap">
                    <time dateTime={run.at} title={formatWhen(run.at)}>
                      {formatRelative(run.at, now)}
                    </time>
                  </td>
                  <td data-label="Outcome">
                    <OutcomeBadge outcome={run.outcome} />
                  </td>
                  <td data-label="Reason">{run.reason ?? <span className="muted">—</span>}</td>
                  <td data-label="Delivery" className="mono small">
                    {run.triggerId}
                  </td>
                  <td data-label="Session">
                    {run.sessionId ? (
                      <>
                        <Link to={`/sessions/${run.sessionId}`} aria-label={`Session of run ${run.id}`}>
                          Open session
                        </Link>
                        {run.sessionStatus ? (
                          <>
                            {" "}
                            <StatusBadge status={run.sessionStatus} />
                          </>
                        ) : null}
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
      {runs.hasNextPage ? (
        <div className="load-more">
          <button
            type="button"
            className="button"
            onClick={() => void runs.fetchNextPage()}
            disabled={runs.isFetchingNextPage}
          >
            {runs.isFetchingNextPage ? "Loading…" : "Load older runs"}
          </button>
        </div>
      ) : null}
    </section>
  );
}
