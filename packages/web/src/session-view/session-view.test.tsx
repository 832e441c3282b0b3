import { Session } from "@nightshift/protocol";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { firstTurn, followUpTurn, stored } from "../../test/sample-events";
import { setActiveTenant } from "../api/http-client";
import { applyEvents, emptyTimeline } from "../timeline/timeline";
import { FollowUpBox } from "./follow-up-box";
import { SessionSummary } from "./session-summary";
import { TimelineView } from "./timeline-view";

beforeEach(() => setActiveTenant("t1"));
afterEach(() => vi.unstubAllGlobals());

const SESSION = Session.parse({
  id: "01jd0000000000000000000000",
  tenantId: "t1",
  title: "Add a greeting",
  repo: { kind: "local", path: "demo-repo" },
  agent: "claude-code",
  model: "claude-sonnet-4-5",
  status: "running",
  trigger: "web",
  createdBy: "u1",
  branch: "nightshift/add-a-greeting-1a2b3c4d",
  costUsd: 0,
  prUrl: null,
  createdAt: "2026-11-23T12:00:00.000Z",
  updatedAt: "2026-11-23T12:00:05.000Z",
});

describe("TimelineView", () => {
  it("renders assistant text as markdown and the prompt as plain text", async () => {
    const t = applyEvents(emptyTimeline, stored(firstTurn));
    const { container } = render(<TimelineView items={t.items} />);
    // Markdown loads lazily; wait for the rendered emphasis and list.
    await waitFor(() => expect(container.querySelector(".markdown strong")?.textContent).toBe("hello.txt"));
    expect(container.querySelectorAll(".markdown li")).toHaveLength(2);
    expect(screen.getByText("Add a greeting to hello.txt")).toBeTruthy();
  });

  it("shows a message growing token by token and then its final text", async () => {
    const events = stored(firstTurn);
    const partial = applyEvents(emptyTimeline, events.slice(0, 5));
    const { container, rerender } = render(<TimelineView items={partial.items} />);
    const message = () => container.querySelector("[data-message-id='m1']");
    await waitFor(() => expect(message()?.textContent).toContain("I'll create hello.txt"));
    expect(message()?.classList.contains("streaming")).toBe(true);
    expect(message()?.getAttribute("aria-busy")).toBe("true");

    const done = applyEvents(partial, events.slice(5, 7));
    rerender(<TimelineView items={done.items} />);
    await waitFor(() => expect(message()?.textContent).toBe("I'll create hello.txt with a greeting."));
    expect(message()?.classList.contains("streaming")).toBe(false);
  });

  it("keeps tool calls collapsed until opened, with input and output inside", async () => {
    const t = applyEvents(emptyTimeline, stored(firstTurn));
    const { container } = render(<TimelineView items={t.items} />);
    const tools = container.querySelectorAll<HTMLDetailsElement>("details.tool");
    expect(tools).toHaveLength(2);
    expect([...tools].every((d) => !d.open)).toBe(true);
    const bash = tools[1]!;
    expect(within(bash).getByText("cat hello.txt")).toBeTruthy();
    expect(bash.classList.contains("tool-failed")).toBe(true);
    await userEvent.click(bash.querySelector("summary")!);
    expect(bash.open).toBe(true);
    expect(bash.textContent).toContain('"description": "show file"');
    expect(bash.textContent).toContain("No such file or directory");
  });

  it("shows push stats, the PR link, logs and errors", () => {
    const t = applyEvents(emptyTimeline, stored([...firstTurn, ...followUpTurn]));
    const { container } = render(<TimelineView items={t.items} />);
    expect(container.querySelector(".entry-push")?.textContent).toMatch(/1 file changed, \+1 −0/);
    const pr = screen.getByRole("link", { name: "#7" });
    expect(pr.getAttribute("href")).toBe("https://github.com/acme/demo/pull/7");
    expect(pr.getAttribute("rel")).toContain("noopener");
    expect(container.querySelector(".entry-log summary")?.textContent).toBe("start.sh output (2 lines)");
    expect(screen.getByRole("alert").textContent).toContain("budget_exceeded");
  });

  it("does not render raw HTML from the model", async () => {
    const t = applyEvents(
      emptyTimeline,
      stored([
        {
          type: "message",
          messageId: "x",
          role: "assistant",
          text: 'hi <img src=x onerror="alert(1)"> there',
        },
      ]),
    );
    const { container } = render(<TimelineView items={t.items} />);
    await waitFor(() => expect(container.querySelector(".markdown")).toBeTruthy());
    expect(container.querySelector("img")).toBeNull();
  });
});

describe("SessionSummary", () => {
  it("shows status, tokens, cost, push and PR from the stream", () => {
    const t = applyEvents(emptyTimeline, stored(firstTurn));
    render(<SessionSummary session={SESSION} timeline={t} onStop={() => {}} stopping={false} />);
    expect(screen.getByTestId("session-status").textContent).toContain("idle");
    expect(screen.getByTestId("session-cost").textContent).toBe("$0.0003");
    expect(screen.getByText("24 in · 14 out")).toBeTruthy();
    expect(screen.getByTestId("pr-link").getAttribute("href")).toBe("https://github.com/acme/demo/pull/7");
    expect(screen.getByText("nightshift/add-a-greeting-1a2b3c4d").parentElement?.textContent).toContain("+1");
  });

  it("shows the trigger and the PR from the session row before the stream has one", () => {
    const session = { ...SESSION, trigger: "github" as const, prUrl: "https://github.com/acme/demo/pull/9" };
    render(<SessionSummary session={session} timeline={emptyTimeline} onStop={() => {}} stopping={false} />);
    expect(screen.getByTestId("session-trigger").textContent).toBe("GitHub");
    expect(screen.getByTestId("pr-link").getAttribute("href")).toBe("https://github.com/acme/demo/pull/9");
  });

  it("offers Stop while running and not after the end", async () => {
    const onStop = vi.fn();
    const running = applyEvents(emptyTimeline, stored(firstTurn.slice(0, 3)));
    const { rerender } = render(
      <SessionSummary session={SESSION} timeline={running} onStop={onStop} stopping={false} />,
    );
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    expect(onStop).toHaveBeenCalledOnce();
    const ended = applyEvents(emptyTimeline, stored([...firstTurn, ...followUpTurn]));
    rerender(<SessionSummary session={SESSION} timeline={ended} onStop={onStop} stopping={false} />);
    expect((screen.getByRole("button", { name: "Stop" }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("FollowUpBox", () => {
  function renderBox(props: Partial<Parameters<typeof FollowUpBox>[0]> = {}) {
    const client = new QueryClient();
    const onTyping = vi.fn();
    const all = {
      sessionId: SESSION.id,
      closed: false,
      turnRunning: true,
      seenPromptIds: new Set<string>(),
      onTyping,
      ...props,
    };
    const view = render(
      <QueryClientProvider client={client}>
        <FollowUpBox {...all} />
      </QueryClientProvider>,
    );
    return {
      ...view,
      onTyping,
      rerenderWith: (p: Partial<typeof all>) =>
        view.rerender(
          <QueryClientProvider client={client}>
            <FollowUpBox {...all} {...p} />
          </QueryClientProvider>,
        ),
    };
  }

  it("queues a follow-up while a turn runs and clears it when its prompt event arrives", async () => {
    const calls = routeFetch({
      [`POST /api/v1/tenants/t1/sessions/${SESSION.id}/prompts`]: () =>
        json({ promptId: "p9", position: 1 }, 202),
    });
    const box = renderBox();
    const input = screen.getByLabelText("Follow-up prompt");
    await userEvent.type(input, "Also add a test");
    expect(box.onTyping).toHaveBeenCalledWith(true);
    await userEvent.click(screen.getByRole("button", { name: "Queue follow-up" }));
    await waitFor(() => expect(box.container.querySelector("[data-queued-prompt='p9']")).toBeTruthy());
    expect(calls.at(-1)).toMatchObject({ method: "POST", body: { text: "Also add a test" } });
    expect((input as HTMLTextAreaElement).value).toBe("");
    expect(box.onTyping).toHaveBeenLastCalledWith(false);

    box.rerenderWith({ seenPromptIds: new Set(["p9"]) });
    expect(box.container.querySelector("[data-queued-prompt='p9']")).toBeNull();
  });

  it("sends with Ctrl+Enter and shows the server's refusal", async () => {
    routeFetch({
      [`POST /api/v1/tenants/t1/sessions/${SESSION.id}/prompts`]: () =>
        json({ error: { code: "session_closed", message: "the session has ended" } }, 409),
    });
    renderBox({ turnRunning: false });
    const input = screen.getByLabelText("Follow-up prompt");
    await userEvent.type(input, "again");
    fireEvent.keyDown(input, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("the session has ended"));
  });

  it("refuses a blank follow-up without calling the server and is disabled once closed", async () => {
    const calls = routeFetch({});
    const box = renderBox({ turnRunning: false });
    const input = screen.getByLabelText("Follow-up prompt");
    await userEvent.type(input, "   ");
    await act(async () => {
      fireEvent.submit(input.closest("form")!);
    });
    expect(screen.getByRole("alert").textContent).toContain("must not be empty");
    expect(calls).toHaveLength(0);
    box.rerenderWith({ closed: true });
    expect((screen.getByLabelText("Follow-up prompt") as HTMLTextAreaElement).disabled).toBe(true);
  });
});
