import { ListSessionsResponse, type Session } from "@nightshift/protocol";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import SessionsPage from "./sessions-page";

afterEach(() => vi.unstubAllGlobals());

function session(n: number, over: Partial<Session>): Session {
  return {
    id: `01jd00000000000000000000${String(n).padStart(2, "0")}`,
    tenantId: "t1",
    title: `Session ${n}`,
    repo: { kind: "github", owner: "acme", name: "api" },
    agent: "claude-code",
    model: null,
    status: "running",
    trigger: "web",
    createdBy: "ada",
    branch: `nightshift/s-${n}`,
    costUsd: 0.1234,
    prUrl: null,
    createdAt: "2026-11-23T12:00:00.000Z",
    updatedAt: "2026-11-23T12:00:00.000Z",
    ...over,
  };
}

const PAGE = ListSessionsResponse.parse({
  sessions: [
    session(1, { title: "Fix flaky test", trigger: "slack", status: "running" }),
    session(2, {
      title: "Bump deps",
      trigger: "schedule",
      status: "completed",
      repo: { kind: "local", path: "demo-repo" },
    }),
    session(3, {
      title: "Issue #12",
      trigger: "github",
      status: "failed",
      agent: "codex",
      prUrl: "https://github.com/acme/api/pull/13",
    }),
  ],
  nextCursor: null,
});

describe("SessionsPage", () => {
  it("lists sessions with status, repo, agent, who, trigger and cost", async () => {
    routeFetch({ "GET /api/v1/tenants/t1/sessions": () => json(PAGE) });
    renderPage(<SessionsPage />);
    await screen.findByText("Fix flaky test");
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]!.textContent).toContain("running");
    expect(rows[0]!.textContent).toContain("acme/api");
    expect(rows[0]!.textContent).toContain("Slack");
    expect(rows[0]!.textContent).toContain("$0.12");
    expect(rows[1]!.textContent).toContain("local:demo-repo");
    expect(screen.getByRole("link", { name: "Fix flaky test" }).getAttribute("href")).toBe(
      `/sessions/${PAGE.sessions[0]!.id}`,
    );
  });

  it("marks GitHub-triggered sessions and links their pull request", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/sessions": () =>
        json({
          ...PAGE,
          sessions: [...PAGE.sessions, session(4, { title: "Odd PR", prUrl: "javascript:alert(1)" })],
        }),
    });
    renderPage(<SessionsPage />);
    await screen.findByText("Issue #12");
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows[2]!.querySelector("[data-label='Trigger']")?.textContent).toBe("GitHub");
    const pr = screen.getByRole("link", { name: "Pull request of Issue #12" });
    expect(pr.getAttribute("href")).toBe("https://github.com/acme/api/pull/13");
    expect(pr.getAttribute("rel")).toContain("noopener");
    // Only sessions with an http(s) PR URL get a link.
    expect(screen.getAllByRole("link", { name: /^Pull request of/ })).toHaveLength(1);
  });

  it("filters by search text and trigger on the page, and by status on the server", async () => {
    const calls = routeFetch({ "GET /api/v1/tenants/t1/sessions": () => json(PAGE) });
    renderPage(<SessionsPage />);
    await screen.findByText("Fix flaky test");
    await userEvent.type(screen.getByLabelText("Search"), "codex");
    expect(
      screen
        .getAllByRole("row")
        .slice(1)
        .map((r) => r.textContent),
    ).toEqual([expect.stringContaining("Issue #12")]);
    await userEvent.clear(screen.getByLabelText("Search"));
    await userEvent.selectOptions(screen.getByLabelText("Trigger"), "schedule");
    expect(screen.getAllByRole("row")).toHaveLength(2);
    expect(screen.getByText("Bump deps")).toBeTruthy();
    await userEvent.selectOptions(screen.getByLabelText("Status"), "failed");
    await waitFor(() => expect(calls.some((c) => c.path.includes("status=failed"))).toBe(true));
  });

  it("names every trigger in the filter the way the list shows it", async () => {
    routeFetch({ "GET /api/v1/tenants/t1/sessions": () => json(PAGE) });
    renderPage(<SessionsPage />);
    await screen.findByText("Fix flaky test");
    const options = screen.getByLabelText("Trigger").querySelectorAll("option");
    expect([...options].map((o) => [o.value, o.textContent])).toEqual([
      ["", "Any"],
      ["web", "Web"],
      ["api", "API"],
      ["github", "GitHub"],
      ["slack", "Slack"],
      ["linear", "Linear"],
      ["webhook", "Webhook"],
      ["schedule", "Schedule"],
    ]);
  });

  it("says when nothing matches and clears the filters", async () => {
    routeFetch({ "GET /api/v1/tenants/t1/sessions": () => json(PAGE) });
    renderPage(<SessionsPage />);
    await screen.findByText("Fix flaky test");
    await userEvent.type(screen.getByLabelText("Search"), "nothing-like-this");
    expect(screen.getByText("Nothing matches these filters")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(screen.getAllByRole("row")).toHaveLength(4);
  });

  it("has an empty state and an error state with retry", async () => {
    routeFetch({ "GET /api/v1/tenants/t1/sessions": () => json({ sessions: [], nextCursor: null }) });
    const { unmount } = renderPage(<SessionsPage />);
    await screen.findByText("No sessions yet");
    unmount();
    let fail = true;
    routeFetch({
      "GET /api/v1/tenants/t1/sessions": () =>
        fail ? apiError(500, "internal", "database unavailable") : json(PAGE),
    });
    renderPage(<SessionsPage />);
    await screen.findByText("database unavailable");
    fail = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByText("Fix flaky test");
  });

  it("pages with the server's cursor", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/sessions": (req) =>
        req.path.includes("cursor=c2")
          ? json({ sessions: [session(9, { title: "Older one" })], nextCursor: null })
          : json({ ...PAGE, nextCursor: "c2" }),
    });
    renderPage(<SessionsPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Load more" }));
    await screen.findByText("Older one");
    expect(calls.filter((c) => c.path.includes("cursor=c2"))).toHaveLength(1);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });
});
