/**
 * When a staged tool tree is staged again: a change in the tree's first two levels (a rebuilt
 * bundle, a reinstalled package's files) makes a new staging; a change deeper down does not, so
 * a busy node_modules does not re-copy the tree on every sandbox start.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolView } from "../src/sandbox/tool-view";

const SANDBOX_UID = 1777;
const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)("a staged tool tree's fingerprint", () => {
  let base: string;
  let tools: string;
  let cache: string;
  const stagedSource = async () =>
    (await new ToolView(cache, SANDBOX_UID, SANDBOX_UID).binds([tools]))[0]?.source;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "ns-toolview-fp-"));
    chmodSync(base, 0o755);
    const privateParent = join(base, "private");
    mkdirSync(privateParent, { mode: 0o700 });
    tools = join(privateParent, "tools");
    mkdirSync(join(tools, "bin", "deep"), { recursive: true, mode: 0o755 });
    writeFileSync(join(tools, "bin", "tool.sh"), "#!/bin/sh\n", { mode: 0o755 });
    writeFileSync(join(tools, "bin", "deep", "data.txt"), "one");
    cache = join(base, "cache");
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it("stages again when a file in the second level changes size", async () => {
    const before = await stagedSource();
    writeFileSync(join(tools, "bin", "tool.sh"), "#!/bin/sh\necho a longer tool\n");
    const after = await stagedSource();
    expect(before).toBeDefined();
    expect(after).not.toBe(before);
  });

  it("reuses the staging when only a file below the second level changes", async () => {
    const before = await stagedSource();
    writeFileSync(join(tools, "bin", "deep", "data.txt"), "a much longer content than before");
    const after = await stagedSource();
    expect(before).toBeDefined();
    expect(after).toBe(before);
  });
});
