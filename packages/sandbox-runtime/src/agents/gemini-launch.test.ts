/** Gemini CLI's launch (arguments, environment), the settings prepare writes, and its conversation files. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TurnRequest } from "./contract";
import { gemini } from "./gemini";

const request: TurnRequest = {
  promptId: "p1",
  text: "Say hello",
  cwd: "/work/repo",
  home: "/work/home",
  model: "gemini-2.5-flash",
  maxTurns: 3,
  timeoutMs: 60_000,
  env: {},
  signal: new AbortController().signal,
};

describe("gemini launch", () => {
  const home = mkdtempSync(join(tmpdir(), "ns-gemini-launch-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("starts a new session with a chosen id, headless, the prompt on --prompt= verbatim, the catalog's model", () => {
    const launch = gemini.launch({ ...request, model: undefined, text: "--help me\nplease" });
    expect(launch.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(launch.args).toEqual([
      "--output-format",
      "stream-json",
      "--skip-trust",
      "--yolo",
      "--model=gemini-2.5-flash",
      "--session-id",
      launch.sessionId,
      "--prompt=--help me\nplease",
    ]);
    expect(launch.env).toEqual({
      GEMINI_CLI_NO_RELAUNCH: "true",
      GEMINI_TELEMETRY_ENABLED: "false",
      GEMINI_SANDBOX: "false",
    });
  });

  it("resumes the given session", () => {
    const launch = gemini.launch({ ...request, resumeSessionId: "abc-123" });
    expect(launch.sessionId).toBe("abc-123");
    expect(launch.args).not.toContain("--session-id");
    expect(launch.args[launch.args.indexOf("--resume") + 1]).toBe("abc-123");
  });

  it("prepare writes the settings: API-key auth, nothing phoned home, the turn cap, few retries", async () => {
    await gemini.prepare?.({ ...request, home, maxTurns: 7 });
    const settings = JSON.parse(readFileSync(join(home, ".gemini", "settings.json"), "utf8"));
    expect(settings).toMatchObject({
      security: { auth: { selectedType: "gemini-api-key" } },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: 3 },
      model: { maxSessionTurns: 7 },
      tools: { useRipgrep: false, sandbox: false },
      advanced: { ignoreLocalEnv: true },
    });
  });

  it("conversation files: ~/.gemini/tmp, holding a session when its chat file is there", () => {
    const files = gemini.conversationFiles!("/h");
    expect(files.directory).toBe("/h/.gemini/tmp");
    const saved = ["work/.project_root", "work/chats/session-2026-12-04T22-41-b1a7097d.jsonl"];
    expect(files.holdsSession(saved, "b1a7097d-9364-4322-b381-d3d2c9b1794d")).toBe(true);
    expect(files.holdsSession(saved, "c2a7097d-9364-4322-b381-d3d2c9b1794d")).toBe(false);
    expect(files.holdsSession(["work/logs/x-b1a7097d.jsonl"], "b1a7097d-9364-4322-b381-d3d2c9b1794d")).toBe(
      false,
    );
  });
});
