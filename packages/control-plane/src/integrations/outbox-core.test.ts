/**
 * The reply helpers Slack's and Linear's outboxes share: a final reply waits for its pull request
 * (at most a minute, and not as an attempt), providers classify their own errors, anything else is
 * retried, and a drop is a log line naming the provider and the reply's kind.
 */
import type { AgentEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { PullWait, replyHooks, WaitingForPull } from "./outbox-core";

describe("PullWait", () => {
  it("holds a reply while the pull request is pending, for at most a minute, then lets it go", () => {
    let now = 1_000;
    let pending = true;
    const wait = new PullWait(
      () => pending,
      () => now,
    );
    expect(() => wait.hold()).toThrow(WaitingForPull);
    now += 59_000;
    expect(() => wait.hold()).toThrow(WaitingForPull);
    now += 1_000;
    expect(() => wait.hold()).not.toThrow();
    // The next reply waits afresh.
    expect(() => wait.hold()).toThrow(WaitingForPull);
    pending = false;
    expect(() => wait.hold()).not.toThrow();
  });
});

describe("replyHooks", () => {
  const published: AgentEvent[] = [];
  const hooks = replyHooks<{ kind: "final" }>({
    provider: "Linear",
    noun: "activity",
    send: async () => {},
    verdictFor: (error) => (error instanceof RangeError ? { kind: "refused" } : null),
    publish: (events) => published.push(...events),
  });

  it("waits for the pull request without counting an attempt, and retries what no one classified", () => {
    expect(hooks.classify(new WaitingForPull())).toEqual({ kind: "wait", afterMs: 1_000 });
    expect(hooks.classify(new RangeError("no"))).toEqual({ kind: "refused" });
    expect(hooks.classify(new Error("socket hang up"))).toEqual({ kind: "retry" });
  });

  it("turns a dropped reply into a log line naming the provider and the reply's kind", () => {
    hooks.dropped({ kind: "final" }, "refused", 1, new RangeError("Entity not found"));
    hooks.dropped({ kind: "final" }, "gave_up", 8, "weird");
    expect(published).toEqual([
      {
        type: "log",
        source: "linear",
        stream: "stderr",
        text: "dropped a Linear final activity: Linear refused it (Entity not found)\n",
      },
      {
        type: "log",
        source: "linear",
        stream: "stderr",
        text: "gave up on a Linear final activity after 8 attempts: unknown error\n",
      },
    ]);
  });
});
