import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeSearch, resolveAgentBinary } from "./agent-binary";
import { claudeCode } from "./claude-code";

const dirs: string[] = [];
function dirWithExecutable(name: string, executable = true): string {
  const dir = mkdtempSync(join(tmpdir(), "ns-bin-"));
  dirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, "#!/bin/sh\nexit 0\n");
  chmodSync(file, executable ? 0o755 : 0o644);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const binary = { name: "claude", npmPackage: "@anthropic-ai/claude-code", install: "npm i" };

describe("resolveAgentBinary", () => {
  it("prefers the override directory", () => {
    const dir = dirWithExecutable("claude");
    expect(resolveAgentBinary(binary, { overrideDir: dir, fromUrl: import.meta.url })).toBe(
      join(dir, "claude"),
    );
  });

  it("uses the runtime's own @anthropic-ai/claude-code bin (the native executable, not a shell shim)", () => {
    const found = resolveAgentBinary(claudeCode.binary, { fromUrl: import.meta.url, path: "" });
    expect(found).toBeDefined();
    expect(realpathSync(found!)).toMatch(/@anthropic-ai\/claude-code\/bin\/claude\.exe$/);
  });

  it("falls back to PATH, skipping non-executable files and relative entries", () => {
    const notExecutable = dirWithExecutable("tool-x", false);
    const good = dirWithExecutable("tool-x");
    const path = ["relative/bin", notExecutable, good].join(":");
    const search = { fromUrl: import.meta.url, path, skipPackages: true };
    expect(resolveAgentBinary({ name: "tool-x", install: "" }, search)).toBe(join(good, "tool-x"));
  });

  it("returns undefined when it is nowhere, and says where it looked", () => {
    const search = { overrideDir: "/nonexistent", fromUrl: import.meta.url, path: "", skipPackages: true };
    expect(resolveAgentBinary(binary, search)).toBeUndefined();
    expect(describeSearch(binary, search)).toBe("NIGHTSHIFT_AGENT_BIN_DIR (/nonexistent), PATH");
  });
});
