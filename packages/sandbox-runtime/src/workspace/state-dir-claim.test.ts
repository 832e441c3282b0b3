import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claimStateDir, STATE_OWNER_FILE } from "./state-dir-claim";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function root(): string {
  const dir = mkdtempSync(join(tmpdir(), "ns-state-claim-"));
  roots.push(dir);
  return dir;
}

/** A state dir as a prebuild leaves it in a whole-filesystem snapshot. */
function prebuildState(owner: string): string {
  const state = join(root(), "state");
  expect(claimStateDir(state, owner)).toBe("fresh");
  mkdirSync(join(state, "events"));
  writeFileSync(join(state, "events", "000001.log"), "the prebuild's events");
  mkdirSync(join(state, "agent-home", ".config"), { recursive: true });
  writeFileSync(join(state, "agent-home", ".npmrc"), "//registry.example/:_authToken=member-secret");
  writeFileSync(join(state, "setup-hook.done"), "done");
  return state;
}

describe("claimStateDir", () => {
  it("a sandbox started from another session's snapshot finds its state dir emptied: no events, no HOME, no setup marker", () => {
    const state = prebuildState("01jprebuild000000000000000");
    expect(claimStateDir(state, "01jsession0000000000000000")).toBe("emptied");
    expect(readdirSync(state)).toEqual([STATE_OWNER_FILE]);
  });

  it("keeps the session's own state dir (a restarted runtime, a resume from its own snapshot)", () => {
    const state = prebuildState("01jsession0000000000000000");
    expect(claimStateDir(state, "01jsession0000000000000000")).toBe("own");
    expect(existsSync(join(state, "setup-hook.done"))).toBe(true);
    expect(existsSync(join(state, "events", "000001.log"))).toBe(true);
  });

  it("empties a dir whose owner file is unreadable or a link, and removes a planted link without following it", () => {
    const state = join(root(), "state");
    const outside = join(root(), "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.txt"), "not the runtime's");
    mkdirSync(state);
    symlinkSync(outside, join(state, "agent-home"));
    writeFileSync(join(state, STATE_OWNER_FILE), "{not json");
    expect(claimStateDir(state, "01jsession0000000000000000")).toBe("emptied");
    expect(readdirSync(state)).toEqual([STATE_OWNER_FILE]);
    expect(existsSync(join(outside, "keep.txt"))).toBe(true);
  });

  it("claims a new sandbox's empty state dir", () => {
    const state = join(root(), "new-state");
    expect(claimStateDir(state, "01jsession0000000000000000")).toBe("fresh");
    expect(claimStateDir(state, "01jsession0000000000000000")).toBe("own");
  });
});
