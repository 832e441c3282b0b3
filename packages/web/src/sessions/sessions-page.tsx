/**
 * Sessions list: status (server filter), trigger and search (client filters), paged with a
 * cursor, refreshed every few seconds while visible so statuses stay live.
 */
import { SESSION_STATUSES, SessionStatus, TRIGGERS, Trigger } from "@nightshift/protocol";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { listSessions, sessionKeys } from "../api/sessions";
import { StartedByAutomation } from "../automations/automation-badge";
import { agentLabel } from "../ui/agent-label";
import { formatCost, formatRelative, formatRepo } from "../ui/format";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import { StatusBadge } from "../ui/status-badge";
import { webUrl } from "../ui/web-url";
import { matchesFilter, TRIGGER_LABELS } from "./session-filter";

const REFRESH_MS = 4_000;

function PrLink({ url, title }: { url: string | null; title: string }) {
  const href = webUrl(url);
  if (!href) return null;
  return (
    <>
      {" · "}
      <a
        href={href}
        target="_blank"
        rel="noopener noreferrer"
        className="small"
        aria-label={`Pull request of ${title}`}
      >
        PR
      </a>
    </>
  );
}

export default function SessionsPage() {
  const [params, setParams] = useSearchParams();
  const status = SessionStatus.safeParse(params.get("status")).data ?? null;
  const trigger = Trigger.safeParse(params.get("trigger")).data ?? null;
  const search = params.get("q") ?? "";
  const ids = { status: useId(), trigger: useId(), search: useId() };

  const query = useInfiniteQuery({
    queryKey: sessionKeys.list(status),
    queryFn: ({ pageParam, signal }) => listSessions({ status, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: REFRESH_MS,
    refetchIntervalInBackground: false,
  });

  const sessions = useMemo(() => query.data?.pages.flatMap((p) => p.sessions) ?? [], [query.data]);
  const visible = useMemo(
    () => sessions.filter((s) => matchesFilter(s, { trigger, search })),
    [sessions, trigger, search],
  );
  const now = Date.now();

  function setParam(key: string, value: string) {
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  }

  return (
    <section aria-labelledby="sessions-title">
      <div className="page-head">
        <h1 id="sessions-title">Sessions</h1>
        <Link to="/new" className="button button-primary">
          New session
        </Link>
      </div>
      <search className="filters" aria-label="Filter sessions">
        <div className="field">
          <label htmlFor={ids.search}>Search</label>
          <input
            id={ids.search}
            type="search"
            placeholder="title, repo, agent, person…"
            value={search}
            onChange={(e) => setParam("q", e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={status ?? ""} onChange={(e) => setParam("status", e.target.value)}>
            <option value="">Any</option>
            {SESSION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.trigger}>Trigger</label>
          <select
            id={ids.trigger}
            value={trigger ?? ""}
            onChange={(e) => setParam("trigger", e.target.value)}
          >
            <option value="">Any</option>
            {TRIGGERS.map((t) => (
              <option key={t} value={t}>
                {TRIGGER_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
      </search>

      {query.isPending ? (
        <Loading label="Loading sessions…" />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : sessions.length === 0 ? (
        <EmptyState title={status ? `No ${status} sessions` : "No sessions yet"}>
          <p>
            Start one from <Link to="/new">New session</Link>, label a GitHub issue, or mention Nightshift on
            a pull request.
          </p>
        </EmptyState>
      ) : visible.length === 0 ? (
        <EmptyState title="Nothing matches these filters">
          <button type="button" className="button" onClick={() => setParams({}, { replace: true })}>
            Clear filters
          </button>
        </EmptyState>
      ) : (
        <table className="sessions-table">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Session</th>
              <th scope="col">Repository</th>
              <th scope="col">Agent</th>
              <th scope="col">Started by</th>
              <th scope="col">Trigger</th>
              <th scope="col" className="num">
                Cost
              </th>
            </tr>
          </thead>
          <tbody>
            {visible.map((s) => (
              <tr key={s.id} data-session-id={s.id}>
                <td data-label="Status">
                  <StatusBadge status={s.status} />
                </td>
                <td data-label="Session">
                  <Link to={`/sessions/${s.id}`} className="session-title">
                    {s.title}
                  </Link>
                  <span className="muted small"> {formatRelative(s.createdAt, now)}</span>
                  <PrLink url={s.prUrl} title={s.title} />
                </td>
                <td data-label="Repository" className="mono">
                  {formatRepo(s.repo)}
                </td>
                <td data-label="Agent" className="nowrap">
                  {agentLabel(s.agent)}
                  {s.model ? <span className="muted small"> · {s.model}</span> : null}
                </td>
                <td data-label="Started by">{s.createdBy}</td>
                <td data-label="Trigger">
                  <span className={`trigger trigger-${s.trigger}`}>{TRIGGER_LABELS[s.trigger]}</span>
                  <StartedByAutomation automation={s.automation} />
                </td>
                <td data-label="Cost" className="num">
                  {formatCost(s.costUsd)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {query.hasNextPage ? (
        <div className="load-more">
          <button
            type="button"
            className="button"
            onClick={() => void query.fetchNextPage()}
            disabled={query.isFetchingNextPage}
          >
            {query.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </div>
      ) : null}
    </section>
  );
}
