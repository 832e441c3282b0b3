/**
 * What the Pi adapter writes into the private HOME before a turn: models.json pointed only at the
 * request's base URLs, settings, the turn extension — and never through a symlink the agent
 * planted in HOME during an earlier turn.
 */
import {
  existsSync,
  lstatSync,
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
import { afterEach, describe, expect, it } from "vitest";
import type { TurnRequest } from "./contract";
import { pi } from "./pi";
import { piExtensionSource } from "./pi-home";

const KEY = "sk-secret-value-never-on-disk";
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function freshRequest(overrides: Partial<TurnRequest> = {}): TurnRequest {
  const root = mkdtempSync(join(tmpdir(), "ns-pi-home-"));
  roots.push(root);
  mkdirSync(join(root, "repo"));
  return {
    promptId: "p1",
    text: "Say hello",
    cwd: join(root, "repo"),
    home: join(root, "home"),
    model: "claude-sonnet-4-5",
    maxTurns: 4,
    timeoutMs: 60_000,
    env: {
      ANTHROPIC_BASE_URL: "http://127.0.0.1:8788/relay/anthropic/",
      ANTHROPIC_API_KEY: KEY,
      OPENAI_BASE_URL: "http://127.0.0.1:8788/relay/openai/v1",
      OPENAI_API_KEY: KEY,
      GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:8788/relay/gemini",
      GEMINI_API_KEY: KEY,
    },
    signal: new AbortController().signal,
    ...overrides,
  };
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const modelsJson = (req: TurnRequest) => readJson(join(req.home, ".pi", "agent", "models.json"));

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("pi home", () => {
  it.each([
    [
      "claude-sonnet-4-5",
      "nightshift-anthropic",
      "anthropic-messages",
      "http://127.0.0.1:8788/relay/anthropic",
      "ANTHROPIC_API_KEY",
    ],
    [
      "gpt-5.5",
      "nightshift-openai",
      "openai-completions",
      "http://127.0.0.1:8788/relay/openai/v1",
      "OPENAI_API_KEY",
    ],
    [
      "gemini-2.5-pro",
      "nightshift-gemini",
      "google-generative-ai",
      "http://127.0.0.1:8788/relay/gemini/v1beta",
      "GEMINI_API_KEY",
    ],
  ])(
    "%s: one provider %s (%s) at the request's base URL %s, key by variable name",
    async (model, name, api, baseUrl, keyVariable) => {
      const req = freshRequest({ model });
      await pi.prepare!(req);
      const providers = modelsJson(req).providers;
      expect(Object.keys(providers)).toEqual([name]);
      expect(providers[name]).toMatchObject({ api, baseUrl, apiKey: keyVariable });
      expect(providers[name].models).toEqual([{ id: model, cost: expect.any(Object) }]);
    },
  );

  it("no key value is written to disk, only the names of the variables holding them", async () => {
    const req = freshRequest();
    await pi.prepare!(req);
    for (const file of filesUnder(req.home)) expect(readFileSync(file, "utf8"), file).not.toContain(KEY);
  });

  it("a listed model carries its list price (so Pi's cost is right); an unknown one none", async () => {
    const listed = freshRequest();
    await pi.prepare!(listed);
    expect(modelsJson(listed).providers["nightshift-anthropic"].models[0].cost).toEqual({
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
    });
    const unknown = freshRequest({ model: "my-local-llm" });
    await pi.prepare!(unknown);
    expect(modelsJson(unknown).providers["nightshift-anthropic"].models).toEqual([{ id: "my-local-llm" }]);
  });

  it("settings: Pi's own retries and install telemetry off", async () => {
    const req = freshRequest();
    await pi.prepare!(req);
    expect(readJson(join(req.home, ".pi", "agent", "settings.json"))).toMatchObject({
      retry: { enabled: false },
      enableInstallTelemetry: false,
    });
  });

  it("refuses to run Pi without the model API's base URL rather than let it call a public endpoint", async () => {
    const req = freshRequest({ model: "gpt-5.5", env: { OPENAI_API_KEY: KEY } });
    await expect(pi.prepare!(req)).rejects.toThrow(/OPENAI_BASE_URL is not set/);
    const bad = freshRequest({ env: { ANTHROPIC_BASE_URL: "file:///etc/passwd" } });
    await expect(pi.prepare!(bad)).rejects.toThrow(/ANTHROPIC_BASE_URL is not an http\(s\) URL/);
  });

  it("refuses a session to resume that is not a Pi session id (it would be read as a path)", async () => {
    await expect(pi.prepare!(freshRequest({ resumeSessionId: "../../runtime/state" }))).rejects.toThrow(
      /not a Pi session id/,
    );
  });

  it("a symlink the agent planted in HOME does not redirect prepare's writes outside HOME", async () => {
    const req = freshRequest();
    const outside = mkdtempSync(join(tmpdir(), "ns-pi-outside-"));
    roots.push(outside);
    writeFileSync(join(outside, "state.json"), "runtime state");
    // An earlier turn's agent replaced Pi's config directory and a config file with symlinks.
    mkdirSync(join(req.home, ".pi"), { recursive: true });
    symlinkSync(outside, join(req.home, ".pi", "agent"));
    mkdirSync(join(req.home, ".pi", "nightshift"));
    symlinkSync(join(outside, "state.json"), join(req.home, ".pi", "nightshift", "turn.mjs"));

    await pi.prepare!(req);

    expect(readdirSync(outside)).toEqual(["state.json"]);
    expect(readFileSync(join(outside, "state.json"), "utf8")).toBe("runtime state");
    expect(lstatSync(join(req.home, ".pi", "agent")).isDirectory()).toBe(true);
    expect(lstatSync(join(req.home, ".pi", "nightshift", "turn.mjs")).isFile()).toBe(true);
    expect(existsSync(join(req.home, ".pi", "agent", "models.json"))).toBe(true);
  });

  it("the extension holds the turn cap and whether the prompt was escaped, and nothing a user typed", async () => {
    const req = freshRequest({ text: "--help $(touch pwned)", maxTurns: 7 });
    await pi.prepare!(req);
    const source = readFileSync(join(req.home, ".pi", "nightshift", "turn.mjs"), "utf8");
    expect(source).toContain("const MAX_TURNS = 7;");
    expect(source).toContain("const PROMPT_ESCAPED = true;");
    expect(source).not.toContain("pwned");
    expect(piExtensionSource({ maxTurns: 3, promptEscaped: false })).toContain(
      "const PROMPT_ESCAPED = false;",
    );
  });
});
