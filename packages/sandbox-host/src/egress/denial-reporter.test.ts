import { EgressDenial } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { DenialReporter } from "./denial-reporter";

describe("DenialReporter", () => {
  it("reports a target once per window and folds the repeats into the next report", () => {
    let now = 0;
    const reporter = new DenialReporter({ windowMs: 1000, now: () => now });
    const seen: EgressDenial[] = [];
    reporter.subscribe((d) => seen.push(d));
    for (let i = 0; i < 50; i += 1) reporter.deny("CONNECT evil.example.com:443", "not allowed");
    expect(seen).toEqual([{ target: "CONNECT evil.example.com:443", reason: "not allowed", repeats: 0 }]);
    now = 1000;
    reporter.deny("CONNECT evil.example.com:443", "not allowed");
    expect(seen[1]).toEqual({ target: "CONNECT evil.example.com:443", reason: "not allowed", repeats: 49 });
  });

  it("bounds reports across many targets per window", () => {
    const reporter = new DenialReporter({ windowMs: 1000, maxPerWindow: 5, now: () => 0 });
    const seen: EgressDenial[] = [];
    reporter.subscribe((d) => seen.push(d));
    for (let i = 0; i < 100; i += 1) reporter.deny(`CONNECT host${i}.example.com:443`, "not allowed");
    expect(seen).toHaveLength(5);
  });

  it("keeps what was denied before anyone subscribed, up to a limit", () => {
    const reporter = new DenialReporter({ maxQueued: 2, now: () => 0 });
    for (const host of ["a", "b", "c"]) reporter.deny(`CONNECT ${host}.example.com:443`, "not allowed");
    const seen: EgressDenial[] = [];
    reporter.subscribe((d) => seen.push(d));
    expect(seen.map((d) => d.target)).toEqual(["CONNECT a.example.com:443", "CONNECT b.example.com:443"]);
  });

  it("keeps a report within the stream's schema however long the host name", () => {
    const reporter = new DenialReporter();
    const seen: EgressDenial[] = [];
    reporter.subscribe((d) => seen.push(d));
    const host = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example.com`;
    reporter.deny(`CONNECT ${host}:443`, `${host} resolves to 10.0.0.1, a private or reserved address`);
    expect(EgressDenial.safeParse(seen[0]).success).toBe(true);
  });

  it("cuts a target and a reason to 300 characters each", () => {
    const reporter = new DenialReporter();
    const seen: EgressDenial[] = [];
    reporter.subscribe((d) => seen.push(d));
    reporter.deny("t".repeat(301), "r".repeat(400));
    expect(seen[0]).toEqual({ target: "t".repeat(300), reason: "r".repeat(300), repeats: 0 });
  });

  it("tells the host's log of every report, subscribed or not, and reports other reasons for a target apart", () => {
    const logged: EgressDenial[] = [];
    const reporter = new DenialReporter({ now: () => 0, onReport: (d) => logged.push(d) });
    expect(reporter.deny("CONNECT a.example.com:443", "not allowed")).toBe(true);
    expect(reporter.deny("CONNECT a.example.com:443", "resolves to 10.0.0.1")).toBe(true);
    expect(reporter.deny("CONNECT a.example.com:443", "not allowed")).toBe(false);
    expect(logged.map((d) => d.reason)).toEqual(["not allowed", "resolves to 10.0.0.1"]);
  });

  it("starts a new window after windowMs (10 s by default), with a fresh budget of 20 reports", () => {
    let now = 0;
    const reporter = new DenialReporter({ now: () => now });
    const seen: EgressDenial[] = [];
    reporter.subscribe((d) => seen.push(d));
    for (let i = 0; i < 25; i += 1) reporter.deny(`CONNECT h${i}.example.com:443`, "not allowed");
    expect(seen).toHaveLength(20);
    now = 9_999;
    expect(reporter.deny("CONNECT h0.example.com:443", "not allowed")).toBe(false);
    expect(reporter.deny("CONNECT new.example.com:443", "not allowed")).toBe(false);
    now = 10_000;
    expect(reporter.deny("CONNECT h0.example.com:443", "not allowed")).toBe(true);
    expect(seen.at(-1)).toEqual({ target: "CONNECT h0.example.com:443", reason: "not allowed", repeats: 1 });
    for (let i = 20; i < 25; i += 1)
      expect(reporter.deny(`CONNECT h${i}.example.com:443`, "not allowed")).toBe(true);
    expect(seen).toHaveLength(26);
  });

  it("queues at most 50 reports for a late subscriber by default, then delivers live until unsubscribed", () => {
    const reporter = new DenialReporter({ maxPerWindow: 1000, now: () => 0 });
    for (let i = 0; i < 60; i += 1) reporter.deny(`CONNECT q${i}.example.com:443`, "not allowed");
    const seen: EgressDenial[] = [];
    const unsubscribe = reporter.subscribe((d) => seen.push(d));
    expect(seen).toHaveLength(50);
    reporter.deny("CONNECT live.example.com:443", "not allowed");
    expect(seen.at(-1)?.target).toBe("CONNECT live.example.com:443");
    unsubscribe();
    reporter.deny("CONNECT after.example.com:443", "not allowed");
    expect(seen).toHaveLength(51);
    // Nobody listens now, so it waited in the queue for the next subscriber.
    const next: EgressDenial[] = [];
    reporter.subscribe((d) => next.push(d));
    expect(next.map((d) => d.target)).toEqual(["CONNECT after.example.com:443"]);
  });

  it("forgets past targets after 1000 of them, so a flood of names cannot grow it without bound", () => {
    const reporter = new DenialReporter({ maxPerWindow: 5000, now: () => 0 });
    for (let i = 0; i < 1000; i += 1) reporter.deny(`CONNECT f${i}.example.com:443`, "not allowed");
    expect(reporter.deny("CONNECT f0.example.com:443", "not allowed")).toBe(false);
    // The 1001st target clears the memory: the first one is new again, though its window has not passed.
    expect(reporter.deny("CONNECT f1000.example.com:443", "not allowed")).toBe(true);
    expect(reporter.deny("CONNECT f0.example.com:443", "not allowed")).toBe(true);
  });
});
