import type { Automation } from "@nightshift/protocol";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUTOMATION_ID, automation, MEMBER_ME, run } from "../../test/automations";
import { apiError, json, type Recorded, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import type { Me } from "../auth/auth-api";
import AutomationsPage from "./automations-page";

afterEach(() => vi.unstubAllGlobals());

const ONE = `/api/v1/tenants/t1/automations/${AUTOMATION_ID}`;

function openDetail(current: () => Automation, extra: Parameters<typeof routeFetch>[0] = {}, me?: Me) {
  const calls = routeFetch({
    [`GET ${ONE}`]: () => json(current()),
    [`GET ${ONE}/runs`]: () => json({ runs: [], nextCursor: null }),
    "GET /api/v1/tenants/t1/automations": () => json({ automations: [current()] }),
    ...extra,
  });
  renderPage(<AutomationsPage />, {
    path: `/automations/${AUTOMATION_ID}`,
    route: "/automations/*",
    ...(me ? { me } : {}),
  });
  return calls;
}

describe("one automation", () => {
  it("resumes a paused automation, showing why it paused until then", async () => {
    let current = automation({
      enabled: false,
      pausedReason: "3 consecutive failures: the repository was archived",
      consecutiveFailures: 3,
    });
    const calls = openDetail(() => current, {
      [`PATCH ${ONE}`]: (req: Recorded) => {
        current = automation({ enabled: (req.body as { enabled: boolean }).enabled });
        return json(current);
      },
    });
    await screen.findByRole("heading", { name: "Fix CI failures" });
    expect(screen.getByTestId("automation-state").textContent).toContain(
      "paused 3 consecutive failures: the repository was archived",
    );
    expect(screen.getByText("3 (it pauses itself at 3)")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Resume" }));
    await waitFor(() => expect(screen.getByTestId("automation-state").textContent).toBe("active"));
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ enabled: true });
    await userEvent.click(screen.getByRole("button", { name: "Pause" }));
    await waitFor(() => expect(screen.getByTestId("automation-state").textContent).toBe("paused"));
  });

  it("runs now and links the session it started", async () => {
    openDetail(() => automation(), {
      [`POST ${ONE}/run`]: () =>
        json(
          { run: run(7, { outcome: "started", sessionId: "01jd0000000000000000000077" }), sessionId: "x" },
          202,
        ),
    });
    await screen.findByRole("heading", { name: "Fix CI failures" });
    await userEvent.click(screen.getByRole("button", { name: "Run now" }));
    const result = await screen.findByTestId("run-now-result");
    expect(result.textContent).toContain("Run now: Started");
    expect(within(result).getByRole("link").getAttribute("href")).toBe(
      "/sessions/01jd0000000000000000000077",
    );
  });

  it("holds run now back for as long as a 429 says", async () => {
    const limited = new Response(
      JSON.stringify({ error: { code: "rate_limited", message: "60 runs an hour" } }),
      {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": "30" },
      },
    );
    openDetail(() => automation(), { [`POST ${ONE}/run`]: () => limited });
    await screen.findByRole("heading", { name: "Fix CI failures" });
    await userEvent.click(screen.getByRole("button", { name: "Run now" }));
    await screen.findByText("60 runs an hour");
    expect((screen.getByRole("button", { name: "Run now" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("retry-after").textContent).toMatch(/You can try again in (30|29) s/);
  });

  it("deletes only after confirming, then goes back to the list", async () => {
    const calls = openDetail(() => automation(), {
      [`DELETE ${ONE}`]: () => new Response(null, { status: 204 }),
    });
    await screen.findByRole("heading", { name: "Fix CI failures" });
    await userEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("button", { name: "Yes, delete Fix CI failures" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Delete" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, delete Fix CI failures" }));
    await screen.findByRole("heading", { name: "Automations" });
    expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
  });

  it("lets members read it and its runs, with nothing to change", async () => {
    openDetail(
      () => automation({ trigger: { kind: "schedule", cron: "*/15 * * * *", timezone: "UTC" } }),
      {},
      MEMBER_ME,
    );
    await screen.findByRole("heading", { name: "Fix CI failures" });
    expect(screen.getByTestId("automation-trigger").textContent).toBe("Schedule · Every 15 minutes (UTC)");
    for (const name of ["Pause", "Run now", "Rotate secret", "Edit", "Delete", "Test payload"]) {
      expect(screen.queryByRole("button", { name })).toBeNull();
    }
    expect(screen.queryByRole("link", { name: "Edit" })).toBeNull();
    await screen.findByText("No runs yet");
  });

  it("says when the automation does not exist", async () => {
    routeFetch({ [`GET ${ONE}`]: () => apiError(404, "not_found", "automation not found") });
    renderPage(<AutomationsPage />, { path: `/automations/${AUTOMATION_ID}`, route: "/automations/*" });
    await screen.findByText("This automation does not exist");
  });
});

describe("the run history", () => {
  it("pages newest first with the server's cursor: outcome, reason, delivery and a link to the session", async () => {
    const calls = openDetail(() => automation(), {
      [`GET ${ONE}/runs`]: (req: Recorded) =>
        req.path.includes("cursor=c2")
          ? json({
              runs: [run(1, { outcome: "duplicate", sessionId: undefined, sessionStatus: undefined })],
              nextCursor: null,
            })
          : json({
              runs: [
                run(3, { sessionStatus: "completed" }),
                run(2, { outcome: "skipped", reason: "the filter did not match", sessionId: undefined }),
              ],
              nextCursor: "c2",
            }),
    });
    await screen.findByRole("heading", { name: "Fix CI failures" });
    const table = await screen.findByRole("table");
    let rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.querySelector("[data-label='Outcome']")?.textContent).toBe("Started");
    expect(within(rows[0]!).getByRole("link", { name: "Session of run run-3" }).getAttribute("href")).toBe(
      "/sessions/01jd000000000000000000ses3",
    );
    expect(rows[0]!.textContent).toContain("completed");
    expect(rows[1]!.querySelector("[data-label='Reason']")?.textContent).toBe("the filter did not match");
    expect(rows[1]!.querySelector("[data-label='Delivery']")?.textContent).toBe("msg_2");

    await userEvent.click(screen.getByRole("button", { name: "Load older runs" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(4));
    rows = within(table).getAllByRole("row").slice(1);
    expect(rows[2]!.querySelector("[data-label='Outcome']")?.textContent).toBe("Duplicate");
    expect(calls.filter((c) => c.path.includes("cursor=c2"))).toHaveLength(1);
    expect(screen.queryByRole("button", { name: "Load older runs" })).toBeNull();
  });
});
