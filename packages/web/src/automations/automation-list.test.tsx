import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUTOMATION_ID, automation, MEMBER_ME, run } from "../../test/automations";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import AutomationsPage from "./automations-page";

afterEach(() => vi.unstubAllGlobals());

const LIST = "GET /api/v1/tenants/t1/automations";

const SCHEDULED = automation({
  id: "01jd00000000000000000auto02",
  name: "Monday dependency bump",
  trigger: { kind: "schedule", cron: "0 9 * * 1", timezone: "Europe/Berlin" },
  repo: { mode: "fixed", repo: { kind: "local", path: "demo-repo" } },
  nextRunAt: "2026-12-07T08:00:00.000Z",
});
const PAUSED = automation({
  id: "01jd00000000000000000auto03",
  name: "Sentry triage",
  enabled: false,
  trigger: { kind: "sentry" },
  repo: { mode: "payload", path: "payload.repository.full_name" },
  pausedReason: "3 consecutive failures: the acting user cannot write to acme/api",
  consecutiveFailures: 3,
  lastRunAt: "2026-12-04T11:00:00.000Z",
});
const RAN = automation({ lastRunAt: "2026-12-04T12:00:00.000Z" });

function renderList(me = undefined as typeof MEMBER_ME | undefined) {
  return renderPage(<AutomationsPage />, {
    path: "/automations",
    route: "/automations/*",
    ...(me ? { me } : {}),
  });
}

describe("the Automations list", () => {
  it("shows each automation's trigger (a schedule in words), repository, state, last run and next run", async () => {
    const calls = routeFetch({
      [LIST]: () => json({ automations: [RAN, SCHEDULED, PAUSED] }),
      [`GET /api/v1/tenants/t1/automations/${AUTOMATION_ID}/runs`]: () =>
        json({
          runs: [run(1, { outcome: "skipped", reason: "the filter did not match" })],
          nextCursor: null,
        }),
      [`GET /api/v1/tenants/t1/automations/${PAUSED.id}/runs`]: () =>
        json({ runs: [run(2, { outcome: "failed", reason: "no write access" })], nextCursor: null }),
    });
    renderList();
    await screen.findByText("Fix CI failures");
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows).toHaveLength(3);
    const cell = (row: number, label: string) =>
      rows[row]!.querySelector(`[data-label='${label}']`)?.textContent ?? "";

    expect(cell(0, "Trigger")).toBe("Webhook");
    expect(cell(0, "Repository")).toBe("acme/api");
    expect(cell(0, "State")).toBe("active");
    await within(rows[0]!).findByText("Skipped");
    expect(cell(0, "Next run")).toBe("—");

    expect(cell(1, "Trigger")).toBe("Schedule · At 09:00, only on Monday (Europe/Berlin)");
    expect(cell(1, "Repository")).toBe("local:demo-repo");
    expect(cell(1, "Last run")).toBe("never");
    expect(cell(1, "Next run")).toBe(new Date("2026-12-07T08:00:00.000Z").toLocaleString());

    expect(cell(2, "Trigger")).toBe("Sentry issue alert");
    expect(cell(2, "Repository")).toBe("from the payload: payload.repository.full_name");
    expect(cell(2, "State")).toContain("paused");
    expect(within(rows[2]!).getByTestId("paused-reason").textContent).toContain(
      "3 consecutive failures: the acting user cannot write to acme/api",
    );
    await within(rows[2]!).findByText("Failed");

    expect(screen.getByRole("link", { name: "Fix CI failures" }).getAttribute("href")).toBe(
      `/automations/${AUTOMATION_ID}`,
    );
    // Only automations that ran are asked for their last run, one run each.
    const runCalls = calls.filter((c) => c.path.includes("/runs"));
    expect(runCalls.map((c) => c.path).sort()).toEqual([
      `/api/v1/tenants/t1/automations/${AUTOMATION_ID}/runs?limit=1`,
      `/api/v1/tenants/t1/automations/${PAUSED.id}/runs?limit=1`,
    ]);
  });

  it("offers admins a new automation and tells members they read only", async () => {
    routeFetch({ [LIST]: () => json({ automations: [SCHEDULED] }) });
    const { unmount } = renderList();
    await screen.findByText("Monday dependency bump");
    expect(screen.getByRole("link", { name: "New automation" }).getAttribute("href")).toBe(
      "/automations/new",
    );
    unmount();

    renderList(MEMBER_ME);
    await screen.findByText("Monday dependency bump");
    expect(screen.queryByRole("link", { name: "New automation" })).toBeNull();
    expect(screen.getByText(/managed by admins/)).toBeTruthy();
  });

  it("has an empty state, and an error state with retry", async () => {
    routeFetch({ [LIST]: () => json({ automations: [] }) });
    const { unmount } = renderList();
    await screen.findByText("No automations yet");
    expect(screen.getByRole("link", { name: "Create one" }).getAttribute("href")).toBe("/automations/new");
    unmount();

    let fail = true;
    routeFetch({
      [LIST]: () => (fail ? apiError(500, "internal", "database unavailable") : json({ automations: [RAN] })),
    });
    renderList();
    await screen.findByText("database unavailable");
    fail = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByText("Fix CI failures");
  });

  it("keeps members out of the create form", async () => {
    routeFetch({ [LIST]: () => json({ automations: [] }) });
    renderPage(<AutomationsPage />, { path: "/automations/new", route: "/automations/*", me: MEMBER_ME });
    await screen.findByText("Automations are managed by admins");
    expect(screen.queryByRole("button", { name: "Create automation" })).toBeNull();
  });
});
