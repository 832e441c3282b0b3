/**
 * Analytics: sessions, success rate, pull requests opened and merged, and model cost and tokens
 * over a range of days, per day and by user, repository, agent or model, with a CSV export. Every
 * member sees it; the figures are the tenant's, from the server's roll-ups.
 */
import { ANALYTICS_GROUPS, type AnalyticsGroup, type AnalyticsReport } from "@nightshift/protocol";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useAuth } from "../auth/auth-context";
import { ErrorState, Loading } from "../ui/states";
import { type AnalyticsParams, analyticsCsvUrl, analyticsKeys, getAnalytics } from "./analytics-api";
import { ColumnChart, RowChart } from "./bar-chart";

const GROUP_LABELS: Record<AnalyticsGroup, string> = {
  user: "User",
  repo: "Repository",
  agent: "Agent",
  model: "Model",
};

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const usd = (n: number) => `$${n.toFixed(n > 0 && n < 0.01 ? 4 : 2)}`;
const count = (n: number) => n.toLocaleString("en-US");
const tokens = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
const percent = (r: number | null) => (r === null ? "—" : `${Math.round(r * 100)}%`);

function defaultParams(): AnalyticsParams {
  const now = Date.now();
  return { from: dayOf(now - 29 * DAY_MS), to: dayOf(now), groupBy: "user" };
}

function Totals({ report }: { report: AnalyticsReport }) {
  const t = report.totals;
  const cards: [string, string][] = [
    ["Sessions", count(t.sessions)],
    ["Success rate", percent(t.successRate)],
    ["PRs opened", count(t.prsOpened)],
    ["PRs merged", count(t.prsMerged)],
    ["Model cost", usd(t.costUsd)],
    ["Tokens", tokens(t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheCreationTokens)],
  ];
  return (
    <dl className="analytics-totals">
      {cards.map(([label, value]) => (
        <div key={label} className="card">
          <dt className="muted small">{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function GroupTable({ report }: { report: AnalyticsReport }) {
  return (
    <table className="sessions-table analytics-table">
      <caption className="visually-hidden">By {GROUP_LABELS[report.groupBy].toLowerCase()}</caption>
      <thead>
        <tr>
          <th scope="col">{GROUP_LABELS[report.groupBy]}</th>
          <th scope="col">Sessions</th>
          <th scope="col">Success</th>
          <th scope="col">PRs opened</th>
          <th scope="col">PRs merged</th>
          <th scope="col">Calls</th>
          <th scope="col">Tokens</th>
          <th scope="col">Cost</th>
        </tr>
      </thead>
      <tbody>
        {report.groups.map((g) => (
          <tr key={g.key}>
            <th scope="row" title={g.key}>
              {g.label}
            </th>
            <td data-label="Sessions">{count(g.sessions)}</td>
            <td data-label="Success">{percent(g.successRate)}</td>
            <td data-label="PRs opened">{count(g.prsOpened)}</td>
            <td data-label="PRs merged">{count(g.prsMerged)}</td>
            <td data-label="Calls">{count(g.calls)}</td>
            <td data-label="Tokens">
              {tokens(g.inputTokens + g.outputTokens + g.cacheReadTokens + g.cacheCreationTokens)}
            </td>
            <td data-label="Cost">{usd(g.costUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Report({ report }: { report: AnalyticsReport }) {
  const by = GROUP_LABELS[report.groupBy].toLowerCase();
  const groupBars = (value: (g: AnalyticsReport["groups"][number]) => number) =>
    report.groups.slice(0, 12).map((g) => ({ label: g.label, value: value(g) }));
  return (
    <>
      <Totals report={report} />
      <div className="analytics-charts">
        <ColumnChart
          title="Sessions per day"
          bars={report.days.map((d) => ({ label: d.day, value: d.sessions }))}
          format={count}
        />
        <ColumnChart
          title="Model cost per day"
          bars={report.days.map((d) => ({ label: d.day, value: d.costUsd }))}
          format={usd}
        />
        <RowChart title={`Cost by ${by}`} bars={groupBars((g) => g.costUsd)} format={usd} />
        <RowChart
          title={`Tokens by ${by}`}
          bars={groupBars((g) => g.inputTokens + g.outputTokens + g.cacheReadTokens + g.cacheCreationTokens)}
          format={tokens}
        />
      </div>
      {report.groups.length === 0 ? (
        <p className="muted">No sessions or model usage in this range.</p>
      ) : (
        <GroupTable report={report} />
      )}
    </>
  );
}

export default function AnalyticsPage() {
  const { tenant } = useAuth();
  const ids = { from: useId(), to: useId(), group: useId() };
  const [params, setParams] = useState<AnalyticsParams>(defaultParams);
  const report = useQuery({
    queryKey: [...analyticsKeys.report(params), tenant.id],
    queryFn: ({ signal }) => getAnalytics(params, signal),
    placeholderData: keepPreviousData,
    enabled: params.from !== "" && params.to !== "",
  });
  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">Analytics · {tenant.name}</h1>
      <form className="inline-form analytics-controls" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.from}>From</label>
          <input
            id={ids.from}
            type="date"
            value={params.from}
            max={params.to}
            onChange={(e) => setParams({ ...params, from: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To</label>
          <input
            id={ids.to}
            type="date"
            value={params.to}
            min={params.from}
            onChange={(e) => setParams({ ...params, to: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.group}>Group by</label>
          <select
            id={ids.group}
            value={params.groupBy}
            onChange={(e) => setParams({ ...params, groupBy: e.target.value as AnalyticsGroup })}
          >
            {ANALYTICS_GROUPS.map((g) => (
              <option key={g} value={g}>
                {GROUP_LABELS[g]}
              </option>
            ))}
          </select>
        </div>
        <a className="button" href={analyticsCsvUrl(params)} download>
          Download CSV
        </a>
      </form>
      {report.isPending ? (
        <Loading label="Loading analytics…" />
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} />
      ) : (
        <Report report={report.data} />
      )}
    </section>
  );
}
