import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import AnalyticsPage from "./analytics-page";

afterEach(() => vi.unstubAllGlobals());

const figures = (over: Record<string, unknown> = {}) => ({
  sessions: 0,
  succeeded: 0,
  failed: 0,
  successRate: null,
  prsOpened: 0,
  prsMerged: 0,
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheCreationTokens: 0,
  costUsd: 0,
  ...over,
});

function reportFor(groupBy: string, from: string, to: string) {
  const groups =
    groupBy === "model"
      ? [
          {
            key: "claude-sonnet-4-5",
            label: "claude-sonnet-4-5",
            ...figures({ calls: 4, costUsd: 1.5, inputTokens: 3000 }),
          },
        ]
      : [
          {
            key: "u2",
            label: "Grace",
            ...figures({
              sessions: 1,
              succeeded: 1,
              successRate: 1,
              calls: 1,
              costUsd: 1,
              inputTokens: 2000,
            }),
          },
          {
            key: "u1",
            label: "Ada",
            ...figures({
              sessions: 2,
              succeeded: 1,
              failed: 1,
              successRate: 0.5,
              prsOpened: 1,
              prsMerged: 1,
              calls: 2,
              costUsd: 0.75,
              inputTokens: 1500,
            }),
          },
        ];
  return {
    from,
    to,
    groupBy,
    totals: figures({
      sessions: 3,
      succeeded: 2,
      failed: 1,
      successRate: 2 / 3,
      prsOpened: 1,
      prsMerged: 1,
      calls: 3,
      costUsd: 1.75,
      inputTokens: 3500,
    }),
    days: [
      { day: from, sessions: 1, succeeded: 1, failed: 0, tokens: 1000, costUsd: 0.5 },
      { day: to, sessions: 2, succeeded: 1, failed: 1, tokens: 2500, costUsd: 1.25 },
    ],
    groups,
  };
}

describe("Analytics page", () => {
  it("shows the totals, draws the charts and lists the groups; regrouping asks the server again", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/analytics": (req) => {
        const q = new URL(req.path, "http://x").searchParams;
        return json(reportFor(q.get("groupBy") ?? "user", q.get("from") ?? "", q.get("to") ?? ""));
      },
    });
    renderPage(<AnalyticsPage />);
    await screen.findByText("67%");
    expect(screen.getByText("$1.75")).toBeTruthy();
    const charts = screen.getAllByRole("img");
    expect(charts.map((c) => c.getAttribute("aria-label")?.split(":")[0])).toEqual([
      "Sessions per day",
      "Model cost per day",
      "Cost by user",
      "Tokens by user",
    ]);
    const costByUser = charts[2] as HTMLElement;
    expect([...costByUser.querySelectorAll("rect")].map((r) => r.getAttribute("data-value"))).toEqual([
      "1",
      "0.75",
    ]);
    const rows = within(screen.getByRole("table")).getAllByRole("row");
    expect(rows.map((r) => r.querySelector("th")?.textContent)).toEqual(["User", "Grace", "Ada"]);

    const first = calls[0]?.path ?? "";
    expect(first).toMatch(
      /^\/api\/v1\/tenants\/t1\/analytics\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}&groupBy=user$/,
    );
    const link = screen.getByRole("link", { name: "Download CSV" });
    expect(link.getAttribute("href")).toBe(first.replace("/analytics?", "/analytics.csv?"));

    await userEvent.selectOptions(screen.getByLabelText("Group by"), "model");
    await waitFor(() =>
      expect(screen.getAllByRole("img")[2]?.getAttribute("aria-label")).toMatch(/^Cost by model/),
    );
    expect(calls.at(-1)?.path).toMatch(/groupBy=model$/);
    expect(screen.getByRole("link", { name: "Download CSV" }).getAttribute("href")).toMatch(
      /analytics\.csv\?.*groupBy=model$/,
    );
  });

  it("says so when the range holds nothing", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/analytics": () =>
        json({ ...reportFor("user", "2026-11-01", "2026-11-30"), totals: figures(), days: [], groups: [] }),
    });
    renderPage(<AnalyticsPage />);
    await screen.findByText("No sessions or model usage in this range.");
    expect(screen.getAllByRole("img")).toHaveLength(4);
  });
});
