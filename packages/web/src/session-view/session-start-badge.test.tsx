import { Session } from "@nightshift/protocol";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { applyEvents, emptyTimeline } from "../timeline/timeline";
import { SessionSummary } from "./session-summary";

const SESSION = Session.parse({
  id: "01jd0000000000000000000002",
  tenantId: "t1",
  title: "Starts warm",
  repo: { kind: "local", path: "demo" },
  agent: "claude-code",
  model: null,
  status: "starting",
  trigger: "web",
  createdBy: "u1",
  branch: "nightshift/starts-warm-1a2b3c4d",
  costUsd: 0,
  prUrl: null,
  sandbox: { provider: "local", isolation: null },
  createdAt: "2026-12-04T12:00:00.000Z",
  updatedAt: "2026-12-04T12:00:01.000Z",
});

function summary(session: Session, timeline = emptyTimeline) {
  return <SessionSummary session={session} timeline={timeline} onStop={() => {}} stopping={false} />;
}

const started = (text: string) =>
  applyEvents(emptyTimeline, [
    {
      seq: 1,
      at: "2026-12-04T12:00:02.000Z",
      event: { type: "log", source: "sandbox", stream: "stdout", text },
    },
  ]);

describe("the session header's warm or cold start badge", () => {
  it("says nothing before a sandbox started", () => {
    render(summary(SESSION));
    expect(screen.queryByTestId("sandbox-start")).toBeNull();
  });

  it("says warm start as soon as the stream reports a sandbox started from the snapshot", () => {
    render(
      summary(
        SESSION,
        started(
          "sandbox started (isolation: bubblewrap)\nwarm start: from the repository's prebuilt snapshot at 0123456789ab\n",
        ),
      ),
    );
    expect(screen.getByTestId("sandbox-start").textContent).toBe("warm start");
    expect(screen.getByTestId("session-sandbox").textContent).toBe(
      "Local sandbox host · isolation: bubblewrap",
    );
  });

  it("says cold start for a sandbox the stream reports cloned", () => {
    render(summary(SESSION, started("sandbox started (isolation: bubblewrap)\n")));
    expect(screen.getByTestId("sandbox-start").textContent).toBe("cold start");
  });

  it("shows the row's start when the stream has not said", () => {
    render(summary({ ...SESSION, sandbox: { provider: "local", isolation: "bubblewrap", start: "warm" } }));
    expect(screen.getByTestId("sandbox-start").textContent).toBe("warm start");
  });
});
