import { Session } from "@nightshift/protocol";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { firstTurn, stored } from "../../test/sample-events";
import { applyEvents, emptyTimeline } from "../timeline/timeline";
import { costText, SessionSummary } from "./session-summary";

const SESSION = Session.parse({
  id: "01jd0000000000000000000077",
  tenantId: "t1",
  title: "Try Codex",
  repo: { kind: "local", path: "demo-repo" },
  agent: "codex",
  model: "gpt-5.6-sol",
  status: "running",
  trigger: "web",
  createdBy: "u1",
  branch: "nightshift/try-codex-00000077",
  costUsd: 0,
  prUrl: null,
  createdAt: "2026-11-23T12:00:00.000Z",
  updatedAt: "2026-11-23T12:00:05.000Z",
});

/** Usage on a model without a list price, from a CLI that reports no cost. */
const UNPRICED = {
  type: "usage",
  inputTokens: 1200,
  outputTokens: 300,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
} as const;

function summaryOf(events: Parameters<typeof stored>[0]) {
  const timeline = applyEvents(emptyTimeline, stored(events));
  render(<SessionSummary session={SESSION} timeline={timeline} onStop={() => {}} stopping={false} />);
}

describe("the session's cost and agent", () => {
  it("says 'unknown', never $0, when the only usage came without a cost", () => {
    summaryOf([UNPRICED]);
    expect(screen.getByTestId("session-cost").textContent).toBe("unknown");
    expect(screen.getByText("1.2k in · 300 out")).toBeTruthy();
  });

  it("shows the priced part with '+ unknown' when some usage had a cost and some did not", () => {
    summaryOf([...firstTurn, UNPRICED]);
    expect(screen.getByTestId("session-cost").textContent).toBe("$0.0003 + unknown");
  });

  it("shows a plain figure when every usage was priced, and the agent by name with its model", () => {
    summaryOf(firstTurn);
    expect(screen.getByTestId("session-cost").textContent).toBe("$0.0003");
    expect(screen.getByText("Codex").textContent).toBe("Codex · gpt-5.6-sol");
  });

  it("formats the three cases", () => {
    expect(costText(0, false)).toBe("$0.00");
    expect(costText(0, true)).toBe("unknown");
    expect(costText(0.5, true)).toBe("$0.50 + unknown");
  });
});
