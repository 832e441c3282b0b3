import { ListSessionsResponse, type Session } from "@nightshift/protocol";
import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import { SessionSummary } from "../session-view/session-summary";
import SessionsPage from "../sessions/sessions-page";
import { emptyTimeline } from "../timeline/timeline";

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
    costUsd: 0,
    prUrl: null,
    createdAt: "2026-12-04T12:00:00.000Z",
    updatedAt: "2026-12-04T12:00:00.000Z",
    ...over,
  };
}

describe("a session row started by an automation", () => {
  it("names the automation beside the trigger and links to it; other rows say nothing", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/sessions": () =>
        json(
          ListSessionsResponse.parse({
            sessions: [
              session(1, {
                title: "Fix lint on main",
                trigger: "webhook",
                automation: { id: "01jd00000000000000000auto01", name: "Fix CI failures" },
              }),
              session(2, { title: "By hand" }),
            ],
            nextCursor: null,
          }),
        ),
    });
    renderPage(<SessionsPage />);
    await screen.findByText("Fix lint on main");
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows[0]!.querySelector("[data-label='Trigger']")?.textContent).toBe("Webhook⚙ Fix CI failures");
    const link = screen.getByRole("link", { name: "Started by automation Fix CI failures" });
    expect(link.getAttribute("href")).toBe("/automations/01jd00000000000000000auto01");
    expect(rows[1]!.querySelector("[data-testid='session-automation']")).toBeNull();
  });
});

describe("the session page of a session started by an automation", () => {
  it("names the automation beside the trigger", () => {
    const started = session(3, {
      trigger: "schedule",
      automation: { id: "01jd00000000000000000auto02", name: "Monday dependency bump" },
    });
    render(
      <MemoryRouter>
        <SessionSummary session={started} timeline={emptyTimeline} onStop={() => {}} stopping={false} />
      </MemoryRouter>,
    );
    expect(screen.getByTestId("session-trigger").textContent).toBe("Schedule⚙ Monday dependency bump");
    expect(
      screen.getByRole("link", { name: "Started by automation Monday dependency bump" }).getAttribute("href"),
    ).toBe("/automations/01jd00000000000000000auto02");
  });
});
