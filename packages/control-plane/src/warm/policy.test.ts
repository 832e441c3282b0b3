import { describe, expect, it } from "vitest";
import {
  BUILD_STALE_MS,
  DEFAULT_MAX_AGE_HOURS,
  freshSnapshot,
  maxAgeMs,
  refreshAfterMs,
  shouldBuild,
} from "./policy";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-12-04T12:00:00.000Z");
const A = "a".repeat(40);
const B = "b".repeat(40);

function row(overrides: Partial<Parameters<typeof shouldBuild>[0] & object> = {}) {
  return {
    state: "ready",
    buildStartedAt: new Date(NOW - 2 * HOUR).toISOString(),
    ref: "snap_1",
    commit: A,
    builtAt: new Date(NOW - HOUR).toISOString(),
    headCommit: null as string | null,
    ...overrides,
  };
}

describe("warm snapshot freshness", () => {
  const maxAge = 24 * HOUR;

  it("is fresh while younger than the maximum age and at the known head", () => {
    expect(freshSnapshot(row(), NOW, maxAge)).toEqual({ ref: "snap_1", commit: A });
    expect(freshSnapshot(row({ headCommit: A }), NOW, maxAge)).toEqual({ ref: "snap_1", commit: A });
  });

  it("is stale once older than the maximum age", () => {
    expect(freshSnapshot(row({ builtAt: new Date(NOW - 25 * HOUR).toISOString() }), NOW, maxAge)).toBeNull();
  });

  it("is stale when a push moved the default branch past its commit", () => {
    expect(freshSnapshot(row({ headCommit: B }), NOW, maxAge)).toBeNull();
  });

  it("is nothing without a ref, a commit or a time", () => {
    expect(freshSnapshot(null, NOW, maxAge)).toBeNull();
    expect(freshSnapshot(row({ ref: null }), NOW, maxAge)).toBeNull();
    expect(freshSnapshot(row({ commit: null }), NOW, maxAge)).toBeNull();
    expect(freshSnapshot(row({ builtAt: "not a time" }), NOW, maxAge)).toBeNull();
  });
});

describe("when to prebuild", () => {
  const maxAge = 24 * HOUR;

  it("builds when there is nothing yet", () => {
    expect(shouldBuild(null, NOW, maxAge, null)).toEqual({ build: true });
  });

  it("does not start a second prebuild while one runs, unless that one is long dead", () => {
    const running = row({ state: "building", buildStartedAt: new Date(NOW - 60_000).toISOString() });
    expect(shouldBuild(running, NOW, maxAge, B).build).toBe(false);
    const dead = row({ state: "building", buildStartedAt: new Date(NOW - BUILD_STALE_MS - 1).toISOString() });
    expect(shouldBuild(dead, NOW, maxAge, B).build).toBe(true);
  });

  it("a push of the commit the fresh snapshot has is no reason to rebuild; a new head is", () => {
    expect(shouldBuild(row(), NOW, maxAge, A)).toEqual({
      build: false,
      why: `the snapshot is already built at ${A.slice(0, 12)}`,
    });
    expect(shouldBuild(row(), NOW, maxAge, B).build).toBe(true);
  });

  it("the schedule and an admin's rebuild always build (no head named)", () => {
    expect(shouldBuild(row(), NOW, maxAge, null).build).toBe(true);
  });
});

describe("maximum age", () => {
  it("reads WARM_START_MAX_AGE_HOURS, defaulting on anything unusable", () => {
    expect(maxAgeMs({})).toBe(DEFAULT_MAX_AGE_HOURS * HOUR);
    expect(maxAgeMs({ WARM_START_MAX_AGE_HOURS: "6" })).toBe(6 * HOUR);
    expect(maxAgeMs({ WARM_START_MAX_AGE_HOURS: "-1" })).toBe(DEFAULT_MAX_AGE_HOURS * HOUR);
    expect(maxAgeMs({ WARM_START_MAX_AGE_HOURS: "soon" })).toBe(DEFAULT_MAX_AGE_HOURS * HOUR);
  });

  it("refreshes before the snapshot ages out", () => {
    expect(refreshAfterMs(24 * HOUR)).toBeLessThan(24 * HOUR);
    expect(refreshAfterMs(24 * HOUR)).toBeGreaterThan(12 * HOUR);
  });
});
