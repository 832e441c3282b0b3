/**
 * `isolation: auto` never falls back silently: outside local mode the host refuses to start
 * without a working bubblewrap and says what to install; in local mode the fallback stays, and
 * is logged loudly. A failing bubblewrap is stood in by the self-test the host is given.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHostLogger, type RunningSandboxHost, startSandboxHost } from "../src/index";
import { SECRET } from "./host-harness";

const bwrapMissing = async () => ({
  ok: false as const,
  reason: "bwrap is not installed (apt-get install bubblewrap)",
});

let dir: string;
let host: RunningSandboxHost | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ns-host-mode-"));
});
afterEach(async () => {
  await host?.close();
  host = null;
  rmSync(dir, { recursive: true, force: true });
});

function options(extra: Record<string, unknown>) {
  return { secret: SECRET, port: 0, dataDir: join(dir, "data"), ...extra };
}

describe("sandbox host mode", () => {
  it("isolation auto without bubblewrap never falls back silently: outside local mode the host refuses to start", async () => {
    const lines: string[] = [];
    const start = startSandboxHost({
      ...options({}),
      bubblewrapSelfTest: bwrapMissing,
      log: createHostLogger((line) => lines.push(line)),
    });
    await expect(start).rejects.toThrow(/need bubblewrap outside local mode.*apt-get install bubblewrap/);
    expect(lines.join("\n")).not.toContain('"host.started"');
  });

  it("refuses plain-process isolation and local repositories outside local mode", async () => {
    await expect(startSandboxHost(options({ isolation: "process" }))).rejects.toThrow(
      /isolation: --isolation process .* only with --mode local/,
    );
    await expect(startSandboxHost(options({ reposRoot: "/srv/repos" }))).rejects.toThrow(
      /reposRoot: --repos-root .* only with --mode local/,
    );
  });

  it("in local mode falls back to plain processes, and says so loudly", async () => {
    const lines: string[] = [];
    host = await startSandboxHost({
      ...options({ mode: "local" }),
      bubblewrapSelfTest: bwrapMissing,
      log: createHostLogger((line) => lines.push(line)),
    });
    expect(host.isolation).toBe("process");
    const fallback = lines.find((line) => line.includes('"isolation.fallback"'));
    expect(fallback).toMatch(/NO filesystem or network isolation/);
    expect(fallback).toContain("apt-get install bubblewrap");
    const health = (await (await fetch(new URL("/v1/health", host.url))).json()) as { warnings: string[] };
    expect(health.warnings.join(" ")).toMatch(/no filesystem or network isolation/);
  });
});
