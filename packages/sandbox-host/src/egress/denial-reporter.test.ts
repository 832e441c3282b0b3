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
});
