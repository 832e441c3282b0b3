import { fstatSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { receiveHandedOffEnvironment } from "./env";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ns-handoff-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A descriptor to read `text` from, as the host's pipe would be. */
function descriptorWith(text: string): number {
  const path = join(dir, `handoff-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, text);
  return openSync(path, "r");
}

const isOpen = (fd: number) => {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};

describe("receiveHandedOffEnvironment", () => {
  it("reads the handed-off variables over its own, closes the descriptor and drops the marker", () => {
    const fd = descriptorWith(JSON.stringify({ NIGHTSHIFT_SANDBOX_TOKEN: "tok-from-pipe", HOME: "/s/home" }));
    const own = { PATH: "/bin", LANG: "C.UTF-8", HOME: "/", NIGHTSHIFT_ENV_FD: String(fd) };
    const result = receiveHandedOffEnvironment(own);
    expect(result).toEqual({
      ok: true,
      env: { PATH: "/bin", LANG: "C.UTF-8", HOME: "/s/home", NIGHTSHIFT_SANDBOX_TOKEN: "tok-from-pipe" },
    });
    expect(isOpen(fd)).toBe(false);
    // Nothing is written back into the environment it was given (nor into process.env).
    expect(own).not.toHaveProperty("NIGHTSHIFT_SANDBOX_TOKEN");
    expect(process.env.NIGHTSHIFT_SANDBOX_TOKEN).toBeUndefined();
  });

  it("uses its own environment as it is when no descriptor is named (tests, other providers)", () => {
    expect(receiveHandedOffEnvironment({ PATH: "/bin", NIGHTSHIFT_SESSION_ID: "s" })).toEqual({
      ok: true,
      env: { PATH: "/bin", NIGHTSHIFT_SESSION_ID: "s" },
    });
  });

  it("says plainly what is wrong with a bad descriptor or a bad payload, never the values", () => {
    expect(receiveHandedOffEnvironment({ NIGHTSHIFT_ENV_FD: "two" })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/NIGHTSHIFT_ENV_FD is invalid/),
    });
    expect(receiveHandedOffEnvironment({ NIGHTSHIFT_ENV_FD: "987" })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/cannot read the environment .* on fd 987: EBADF/),
    });
    const notJson = descriptorWith("SECRET=not-json");
    const result = receiveHandedOffEnvironment({ NIGHTSHIFT_ENV_FD: String(notJson) });
    expect(result).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not a JSON object of strings/),
    });
    expect(JSON.stringify(result)).not.toContain("not-json");
    const nested = descriptorWith(JSON.stringify({ A: { b: 1 } }));
    expect(receiveHandedOffEnvironment({ NIGHTSHIFT_ENV_FD: String(nested) }).ok).toBe(false);
  });
});
