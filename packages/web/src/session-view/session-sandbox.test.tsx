import { Session } from "@nightshift/protocol";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { applyEvents, emptyTimeline } from "../timeline/timeline";
import { SessionSummary } from "./session-summary";

const SESSION = Session.parse({
  id: "01jd0000000000000000000001",
  tenantId: "t1",
  title: "Runs in the cloud",
  repo: { kind: "github", owner: "acme", name: "widgets" },
  agent: "claude-code",
  model: null,
  status: "starting",
  trigger: "web",
  createdBy: "u1",
  branch: "nightshift/runs-in-the-cloud-1a2b3c4d",
  costUsd: 0,
  prUrl: null,
  sandbox: { provider: "daytona", isolation: null },
  createdAt: "2026-12-04T12:00:00.000Z",
  updatedAt: "2026-12-04T12:00:01.000Z",
});

function summary(session: Session, timeline = emptyTimeline) {
  return <SessionSummary session={session} timeline={timeline} onStop={() => {}} stopping={false} />;
}

describe("the session header's sandbox", () => {
  it("names the session's provider and says no sandbox has started yet", () => {
    render(summary(SESSION));
    expect(screen.getByTestId("session-sandbox").textContent).toBe("Daytona · not started yet");
  });

  it("shows the isolation level from the session row", () => {
    render(summary({ ...SESSION, sandbox: { provider: "modal", isolation: "gvisor" } }));
    expect(screen.getByTestId("session-sandbox").textContent).toBe("Modal · isolation: gvisor");
  });

  it("shows the isolation as soon as the stream reports the sandbox started", () => {
    const started = applyEvents(emptyTimeline, [
      {
        seq: 1,
        at: "2026-12-04T12:00:02.000Z",
        event: {
          type: "log",
          source: "sandbox",
          stream: "stdout",
          text: "sandbox started (isolation: vm)\n",
        },
      },
    ]);
    render(summary(SESSION, started));
    expect(screen.getByTestId("session-sandbox").textContent).toBe("Daytona · isolation: vm");
  });

  it("shows no sandbox fact for a session from before providers were recorded", () => {
    const { sandbox: _, ...older } = SESSION;
    render(summary(older));
    expect(screen.queryByTestId("session-sandbox")).toBeNull();
  });
});
