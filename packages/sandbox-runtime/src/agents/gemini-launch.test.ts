/** Gemini CLI's launch (arguments, environment), the settings prepare writes, and its conversation files. */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TurnRequest } from "./contract";
import { gemini } from "./gemini";
import { readableAsSystemSettings } from "./gemini-settings";

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

/**
 * A directory under root's home, where the CLI reads a system settings file (running as root, with
 * a HOME not group/other-writable all the way up); undefined elsewhere (the case is then skipped).
 */
const secureHome =
  process.getuid?.() === 0 && readableAsSystemSettings(homedir())
    ? mkdtempSync(join(homedir(), ".ns-gemini-launch-"))
    : undefined;

describe("gemini launch", () => {
  const home = mkdtempSync(join(tmpdir(), "ns-gemini-launch-"));
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    if (secureHome) rmSync(secureHome, { recursive: true, force: true });
  });

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

  it("resumes a session the CLI saved an answer in; one it did not (a failed first turn) is started anew", () => {
    const sessionId = "b1a7097d-9364-4322-b381-d3d2c9b1794d";
    const header = (id: string) => `{"sessionId":"${id}","projectHash":"x","kind":"main"}\n`;
    const chats = join(home, ".gemini", "tmp", "work", "chats");
    const newSession = () => {
      const launch = gemini.launch({ ...request, home, resumeSessionId: sessionId });
      expect(launch.args).not.toContain("--resume");
      expect(launch.sessionId).not.toBe(sessionId);
      expect(launch.args[launch.args.indexOf("--session-id") + 1]).toBe(launch.sessionId);
    };
    newSession(); // no files at all
    mkdirSync(chats, { recursive: true });
    // The failed first turn: the prompt was recorded, then rolled back; no model answer.
    const prompt = '{"id":"u1","type":"user","content":[{"text":"Remember"}]}\n';
    writeFileSync(join(chats, "session-2026-12-04T22-41-b1a7097d.jsonl"), header(sessionId) + prompt);
    newSession();
    // Another session whose id starts alike, with answers, does not count: the header names the id.
    const answer = `{"id":"g1","type":"gemini","content":"${"x".repeat(100_000)}"}\n`;
    writeFileSync(join(chats, "session-2026-12-04T22-45-b1a7097d.jsonl"), header("b1a7097d-0000") + answer);
    newSession();

    // An answer far into the file (past the first read) is found.
    writeFileSync(
      join(chats, "session-2026-12-04T22-50-b1a7097d.jsonl"),
      header(sessionId) + prompt + answer.repeat(2),
    );
    const saved = gemini.launch({ ...request, home, resumeSessionId: sessionId });
    expect(saved.sessionId).toBe(sessionId);
    expect(saved.args).not.toContain("--session-id");
    expect(saved.args[saved.args.indexOf("--resume") + 1]).toBe(sessionId);
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

  it("under a world-writable directory (/tmp) no system settings file is written or named", async () => {
    await gemini.prepare?.({ ...request, home });
    expect(existsSync(join(home, ".gemini", "system-settings.json"))).toBe(false);
    expect(gemini.launch({ ...request, home }).env.GEMINI_CLI_SYSTEM_SETTINGS_PATH).toBeUndefined();
    expect(readableAsSystemSettings(home)).toBe(false);
  });

  it.skipIf(!secureHome)(
    "in a HOME root owns all the way up, the settings are also the system layer the CLI puts over a repository's",
    async () => {
      const secure = join(secureHome!, "home");
      await gemini.prepare?.({ ...request, home: secure, maxTurns: 4 });
      const system = join(secure, ".gemini", "system-settings.json");
      expect(JSON.parse(readFileSync(system, "utf8"))).toMatchObject({ model: { maxSessionTurns: 4 } });
      expect(gemini.launch({ ...request, home: secure }).env.GEMINI_CLI_SYSTEM_SETTINGS_PATH).toBe(system);
    },
  );

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

describe("gemini prepare and a hostile HOME", () => {
  it("a symlink the agent planted at ~/.gemini does not redirect the settings write outside HOME", async () => {
    const root = mkdtempSync(join(tmpdir(), "ns-gemini-planted-"));
    try {
      const home = join(root, "home");
      const outside = join(root, "runtime-state");
      mkdirSync(home);
      mkdirSync(outside);
      writeFileSync(join(outside, "settings.json"), "runtime state");
      symlinkSync(outside, join(home, ".gemini"));
      await gemini.prepare!({ ...request, home, cwd: root });
      expect(readFileSync(join(outside, "settings.json"), "utf8")).toBe("runtime state");
      expect(lstatSync(join(home, ".gemini")).isDirectory()).toBe(true);
      expect(JSON.parse(readFileSync(join(home, ".gemini", "settings.json"), "utf8"))).toMatchObject({
        model: { maxSessionTurns: 3 },
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
