/**
 * What the runtime refuses when the sandbox host's hand-over is not what it promised: a
 * descriptor that is one of the standard three, and payloads that are JSON but not an object of
 * strings (an array, a number, null, one value among strings that is not a string).
 */
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { receiveHandedOffEnvironment } from "../src/env";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ns-handoff-mutants-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function handOff(payload: string) {
  count += 1;
  const path = join(dir, `handoff-${count}`);
  writeFileSync(path, payload);
  const fd = openSync(path, "r");
  return receiveHandedOffEnvironment({ PATH: "/bin", NIGHTSHIFT_ENV_FD: String(fd) });
}

const NOT_STRINGS = /^the environment handed over on fd \d+ is not a JSON object of strings$/;

describe("receiveHandedOffEnvironment refusals", () => {
  it("refuses stdin, stdout and stderr and non-integer descriptors without touching them", () => {
    for (const value of ["0", "1", "2", "-1", "3.5", ""]) {
      expect(receiveHandedOffEnvironment({ NIGHTSHIFT_ENV_FD: value }), value).toEqual({
        ok: false,
        problem: "NIGHTSHIFT_ENV_FD is invalid: expected a file descriptor number above 2",
      });
    }
  });

  it("refuses a JSON array of strings", () => {
    expect(handOff(JSON.stringify(["NIGHTSHIFT_SANDBOX_TOKEN=tok"]))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(NOT_STRINGS),
    });
  });

  it("refuses JSON that is not an object at all", () => {
    for (const payload of ["null", "42", '"text"', "true"])
      expect(handOff(payload), payload).toMatchObject({
        ok: false,
        problem: expect.stringMatching(NOT_STRINGS),
      });
  });

  it("refuses an object where one value among strings is not a string", () => {
    expect(handOff(JSON.stringify({ HOME: "/s/home", PORT: 8080 }))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(NOT_STRINGS),
    });
  });

  it("accepts an empty object and keeps its own variables", () => {
    expect(handOff("{}")).toEqual({ ok: true, env: { PATH: "/bin" } });
  });
});
