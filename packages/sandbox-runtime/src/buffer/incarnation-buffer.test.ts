import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EventBuffer } from "./event-buffer";
import { incarnationBufferDir } from "./incarnation-buffer";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function stateWithOldEvents(): string {
  const state = mkdtempSync(join(tmpdir(), "ns-incarnation-buffer-"));
  roots.push(state);
  const old = new EventBuffer({ dir: join(state, "events"), maxBytes: 1_000_000 });
  old.append({ type: "log", source: "runtime", stream: "stdout", text: "from the old incarnation\n" });
  old.append({ type: "log", source: "runtime", stream: "stdout", text: "never acked\n" });
  old.close();
  writeFileSync(join(state, "setup-hook.done"), "kept");
  return state;
}

describe("incarnationBufferDir", () => {
  it("a resumed sandbox restored from a snapshot starts with an empty buffer, not the old incarnation's events", () => {
    const state = stateWithOldEvents();
    const buffer = new EventBuffer({ dir: incarnationBufferDir(state, true), maxBytes: 1_000_000 });
    expect(buffer.lastSeq).toBe(0);
    buffer.close();
    // Only the buffer goes: the setup hook's marker (what the snapshot saves) stays.
    expect(existsSync(join(state, "setup-hook.done"))).toBe(true);
  });

  it("a first incarnation keeps its buffer (a restarted runtime resends what was not acked)", () => {
    const state = stateWithOldEvents();
    const buffer = new EventBuffer({ dir: incarnationBufferDir(state, false), maxBytes: 1_000_000 });
    expect(buffer.lastSeq).toBe(2);
    expect(buffer.ackedSeq).toBe(0);
    buffer.close();
  });

  it("a resumed sandbox without any state starts fine", () => {
    const state = mkdtempSync(join(tmpdir(), "ns-incarnation-buffer-"));
    roots.push(state);
    mkdirSync(join(state, "agent-home"));
    const buffer = new EventBuffer({ dir: incarnationBufferDir(state, true), maxBytes: 1_000_000 });
    expect(buffer.lastSeq).toBe(0);
    buffer.close();
  });
});
