/**
 * OpenCode's private HOME: what prepare writes (and refuses), that a symlink the agent planted
 * never redirects it, and which files hold a saved conversation.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TurnRequest } from "./contract";
import { opencode } from "./opencode";

const request: TurnRequest = {
  promptId: "p1",
  text: "Say hello",
  cwd: "/work/repo",
  home: "/work/home",
  model: "gpt-5.5",
  maxTurns: 5,
  timeoutMs: 60_000,
  env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", OPENAI_API_KEY: "sk-relay-placeholder" },
  signal: new AbortController().signal,
};

describe("opencode home", () => {
  const root = mkdtempSync(join(tmpdir(), "ns-opencode-home-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const fresh = (overrides: Partial<TurnRequest> = {}): TurnRequest => {
    n += 1;
    return { ...request, home: join(root, `home-${n}`), ...overrides };
  };

  it("pre-empts OpenCode's npm install of its plugin package: node_modules and a lock that already lists it", async () => {
    const req = fresh();
    await opencode.prepare!(req);
    const configDir = join(req.home, ".config", "opencode");
    expect(readdirSync(configDir).sort()).toEqual(["node_modules", "package-lock.json", "package.json"]);
    const wanted = JSON.parse(readFileSync(join(configDir, "package.json"), "utf8")).dependencies;
    const locked = JSON.parse(readFileSync(join(configDir, "package-lock.json"), "utf8")).packages[""]
      .dependencies;
    expect(wanted).toEqual({ "@opencode-ai/plugin": "1.18.33" });
    expect(locked).toEqual(wanted);
    expect(readdirSync(join(req.home, ".local", "share", "opencode", "sessions"))).toEqual([]);
  });

  it("refuses a missing or non-http base URL, a model name with config syntax, and a foreign session id", async () => {
    await expect(opencode.prepare!(fresh({ env: {} }))).rejects.toThrow(/OPENAI_BASE_URL is not set/);
    await expect(
      opencode.prepare!(
        fresh({ model: "claude-sonnet-4-5", env: { ANTHROPIC_BASE_URL: "file:///etc/passwd" } }),
      ),
    ).rejects.toThrow(/ANTHROPIC_BASE_URL is not an http\(s\) URL/);
    await expect(
      opencode.prepare!(fresh({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1","x":"' } })),
    ).rejects.toThrow(/not an http\(s\) URL/);
    await expect(opencode.prepare!(fresh({ model: "{file:/etc/passwd}" }))).rejects.toThrow(
      /not one OpenCode can be given/,
    );
    await expect(opencode.prepare!(fresh({ resumeSessionId: "--help" }))).rejects.toThrow(
      /not an OpenCode session id/,
    );
  });

  it("a symlink the agent planted in HOME does not redirect prepare's writes outside HOME", async () => {
    const req = fresh();
    const outside = join(root, `outside-${n}`);
    mkdirSync(outside);
    writeFileSync(join(outside, "package.json"), "precious\n");
    mkdirSync(join(req.home, ".config", "opencode"), { recursive: true });
    symlinkSync(join(outside, "package.json"), join(req.home, ".config", "opencode", "package.json"));
    symlinkSync(outside, join(req.home, ".config", "opencode", "node_modules"));
    await opencode.prepare!(req);
    expect(readFileSync(join(outside, "package.json"), "utf8")).toBe("precious\n");
    expect(readdirSync(outside)).toEqual(["package.json"]);
  });

  it("conversation files: the session database, holding a session only when it mentions its id", () => {
    const home = join(root, "conv");
    const files = opencode.conversationFiles!(home);
    expect(files.directory).toBe(join(home, ".local", "share", "opencode", "sessions"));
    mkdirSync(files.directory, { recursive: true });
    writeFileSync(join(files.directory, "opencode.db"), Buffer.from("SQLite format 3\0...ses_abc123..."));
    writeFileSync(join(files.directory, "opencode.db-wal"), Buffer.from("...ses_walonly9..."));
    expect(files.holdsSession(["opencode.db"], "ses_abc123")).toBe(true);
    expect(files.holdsSession(["opencode.db", "opencode.db-wal"], "ses_walonly9")).toBe(true);
    expect(files.holdsSession(["opencode.db"], "ses_other")).toBe(false);
    expect(files.holdsSession(["opencode.db-wal"], "ses_walonly9")).toBe(false);
    expect(files.holdsSession(["opencode.db"], "not-a-session")).toBe(false);
  });
});
