/**
 * What a user sees of capacity and limits: a queued session's place in line (issue 11 §6), and
 * a 429 whose Retry-After keeps the action disabled with a countdown.
 */
import { Session } from "@nightshift/protocol";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import { stored } from "../../test/sample-events";
import { setActiveTenant } from "../api/http-client";
import NewSessionPage from "../new-session/new-session-page";
import { applyEvents, emptyTimeline } from "../timeline/timeline";
import { queuePlace } from "../ui/queue-place";
import { FollowUpBox } from "./follow-up-box";
import { SessionSummary } from "./session-summary";

beforeEach(() => setActiveTenant("t1"));
afterEach(() => vi.unstubAllGlobals());

const QUEUED = Session.parse({
  id: "01jd0000000000000000000000",
  tenantId: "t1",
  title: "Waits for a sandbox",
  repo: { kind: "local", path: "demo-repo" },
  agent: "claude-code",
  model: null,
  status: "queued",
  queuePosition: 4,
  trigger: "web",
  createdBy: "u1",
  branch: "nightshift/waits-00000000",
  costUsd: 0,
  prUrl: null,
  createdAt: "2026-11-23T12:00:00.000Z",
  updatedAt: "2026-11-23T12:00:00.000Z",
});

const limited = (message: string, retryAfter: string) =>
  new Response(JSON.stringify({ error: { code: "rate_limited", message } }), {
    status: 429,
    headers: { "content-type": "application/json", "retry-after": retryAfter },
  });

describe("a queued session", () => {
  it("says its place in line, moves up as the stream says, and stops saying it once it starts", () => {
    const summary = (timeline = emptyTimeline) =>
      render(<SessionSummary session={QUEUED} timeline={timeline} onStop={() => {}} stopping={false} />);
    const { unmount } = summary();
    expect(screen.getByTestId("queue-position").textContent).toContain("4th in line");
    unmount();

    const waiting = applyEvents(
      emptyTimeline,
      stored([
        { type: "session.status", status: "queued" },
        { type: "session.queue", position: 3 },
      ]),
    );
    const view = summary(waiting);
    expect(screen.getByTestId("session-status").textContent).toContain("queued — 3rd in line");
    const next = applyEvents(waiting, stored([{ type: "session.queue", position: 1 }], 3));
    view.rerender(<SessionSummary session={QUEUED} timeline={next} onStop={() => {}} stopping={false} />);
    expect(screen.getByTestId("queue-position").textContent).toContain("next in line");
    const started = applyEvents(next, stored([{ type: "session.status", status: "starting" }], 4));
    view.rerender(<SessionSummary session={QUEUED} timeline={started} onStop={() => {}} stopping={false} />);
    expect(screen.queryByTestId("queue-position")).toBeNull();
    expect(started.queuePosition).toBeNull();
  });

  it("names places the way people do", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(queuePlace)).toEqual([
      "next in line",
      "2nd in line",
      "3rd in line",
      "4th in line",
      "11th in line",
      "12th in line",
      "13th in line",
      "21st in line",
      "22nd in line",
      "101st in line",
    ]);
  });
});

describe("a limit's Retry-After", () => {
  it("keeps Send disabled with a countdown after too many prompts, then allows it again", async () => {
    routeFetch({
      [`POST /api/v1/tenants/t1/sessions/${QUEUED.id}/prompts`]: () =>
        limited(
          "too many prompts sent in this tenant: at most 30 a minute (10 at once); try again in 2 s",
          "2",
        ),
    });
    render(
      <QueryClientProvider client={new QueryClient()}>
        <FollowUpBox
          sessionId={QUEUED.id}
          closed={false}
          turnRunning={false}
          seenPromptIds={new Set()}
          onTyping={() => {}}
        />
      </QueryClientProvider>,
    );
    await userEvent.type(screen.getByLabelText("Follow-up prompt"), "one more");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/too many prompts/));
    expect(screen.getByTestId("retry-after").textContent).toMatch(/try again in [12] s/);
    expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    await waitFor(
      () => expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(false),
      { timeout: 4000 },
    );
    expect(screen.queryByTestId("retry-after")).toBeNull();
  });

  it("shows why a new session was refused and holds Start until Retry-After has passed", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/repositories": () =>
        json({
          repositories: [
            { repo: { kind: "local", path: "demo-repo" }, label: "demo-repo", defaultBranch: "main" },
          ],
        }),
      "POST /api/v1/tenants/t1/sessions": () =>
        limited(
          "too many sessions started in this tenant: at most 60 a minute (30 at once); try again in 40 s",
          "40",
        ),
    });
    renderPage(<NewSessionPage />);
    await userEvent.selectOptions(await screen.findByLabelText("Repository"), "local:demo-repo");
    await userEvent.type(screen.getByLabelText("Prompt"), "Add a README");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/too many sessions started/));
    expect(screen.getByTestId("retry-after").textContent).toMatch(/try again in (40|39) s/);
    expect((screen.getByRole("button", { name: "Start session" }) as HTMLButtonElement).disabled).toBe(true);
  });
});
