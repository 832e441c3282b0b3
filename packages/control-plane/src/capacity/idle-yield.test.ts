import { describe, expect, it } from "vitest";
import { IDLE_YIELD_MS, idleYieldMs } from "./session-slot";

describe("the idle yield", () => {
  it("is a minute unless the deployment sets a valid number of seconds", () => {
    expect(idleYieldMs({})).toBe(IDLE_YIELD_MS);
    expect(IDLE_YIELD_MS).toBe(60_000);
    expect(idleYieldMs({ SANDBOX_IDLE_YIELD_SECONDS: "3" })).toBe(3_000);
    for (const bad of ["0", "-5", "1.5", "3601", "soon", ""])
      expect(idleYieldMs({ SANDBOX_IDLE_YIELD_SECONDS: bad }), bad).toBe(IDLE_YIELD_MS);
  });
});
