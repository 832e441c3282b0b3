/**
 * The Codex adapter's launch (arguments, environment, the provider it points Codex at), what
 * prepare refuses before the CLI starts, and where its conversations are saved.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AGENT_CATALOG } from "@nightshift/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { codex, RETRIES_VARIABLE } from "./codex";
import type { TurnRequest } from "./contract";

const scratch = mkdtempSync(join(tmpdir(), "ns-codex-launch-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const request: TurnRequest = {
  promptId: "p1",
  text: "Say hello",
  cwd: "/work/repo",
  home: join(scratch, "empty-home"),
  model: "gpt-5.5",
  maxTurns: 3,
  timeoutMs: 60_000,
  env: { OPENAI_BASE_URL: "http://127.0.0.1:4100/relay/openai/v1", OPENAI_API_KEY: "sk-placeholder" },
  signal: new AbortController().signal,
};

describe("codex launch", () => {
  it("runs exec headless against a custom Responses provider at OPENAI_BASE_URL, prompt after --", () => {
    const launch = codex.launch({ ...request, text: "--help me" });
    expect(launch.sessionId).toBeUndefined();
    expect(launch.args).toEqual([
      "exec",
      "--json",
      "--skip-git-repo-check",
      "--dangerously-bypass-approvals-and-sandbox",
      "--color",
      "never",
      "--model=gpt-5.5",
      "--config",
      'model_provider="nightshift"',
      "--config",
      'model_providers.nightshift={name="Nightshift",base_url="http://127.0.0.1:4100/relay/openai/v1",wire_api="responses",env_key="OPENAI_API_KEY",request_max_retries=2,stream_max_retries=2}',
      "--config",
      "analytics.enabled=false",
      "--config",
      "check_for_update_on_startup=false",
      "--disable",
      "unbounded_connection_retries",
      "--disable",
      "plugins",
      "--disable",
      "remote_plugin",
      "--disable",
      "plugin_sharing",
      "--disable",
      "apps",
      "--disable",
      "in_app_updates",
      "--disable",
      "api_key_model_discovery",
      "--",
      "--help me",
    ]);
    expect(launch.env).toEqual({ CODEX_HOME: join(request.home, ".codex"), RUST_BACKTRACE: "0" });
  });

  it("resumes the given thread, with the catalog's model when the request names none", () => {
    const launch = codex.launch({ ...request, model: undefined, resumeSessionId: "01a2-thread" });
    expect(launch.sessionId).toBe("01a2-thread");
    expect(launch.args.slice(-4)).toEqual(["resume", "01a2-thread", "--", "Say hello"]);
    expect(launch.args).toContain(`--model=${AGENT_CATALOG.codex.defaultModel}`);
  });

  it("a base URL cannot break out of its TOML string; one that is no http(s) URL points nowhere", () => {
    const provider = (url: string) =>
      codex
        .launch({ ...request, env: { OPENAI_BASE_URL: url } })
        .args.find((a) => a.startsWith("model_providers."));
    const injected = provider('http://x/v1",wire_api="chat');
    expect(injected).toContain('base_url="http://x/v1%22,wire_api=%22chat",wire_api="responses"');
    expect(injected).not.toContain('wire_api="chat');
    for (const url of ["file:///etc/passwd", "not a url", ""]) {
      expect(provider(url)).toContain('base_url="http://127.0.0.1:9/v1"');
    }
  });

  it(`${RETRIES_VARIABLE} sets both retry counts; nonsense keeps the default`, () => {
    const provider = (value: string) =>
      codex
        .launch({ ...request, env: { ...request.env, [RETRIES_VARIABLE]: value } })
        .args.find((a) => a.startsWith("model_providers."));
    expect(provider("0")).toContain("request_max_retries=0,stream_max_retries=0");
    expect(provider("-1; rm")).toContain("request_max_retries=2,stream_max_retries=2");
  });
});

describe("codex prepare and conversation files", () => {
  it("refuses a resume id that would be read as an option, and a thread not saved in HOME", async () => {
    const home = join(scratch, "prepare-home");
    await expect(codex.prepare!({ ...request, home, resumeSessionId: "--last" })).rejects.toThrow(
      /is not a Codex thread id/,
    );
    await expect(codex.prepare!({ ...request, home, resumeSessionId: "01a2-missing" })).rejects.toThrow(
      /thread 01a2-missing is not saved in this HOME/,
    );
    const day = join(home, ".codex", "sessions", "2026", "12", "04");
    mkdirSync(day, { recursive: true });
    writeFileSync(join(day, "rollout-2026-12-04T10-00-00-01a2-saved.jsonl"), "{}\n");
    await expect(
      codex.prepare!({ ...request, home, resumeSessionId: "01a2-saved" }),
    ).resolves.toBeUndefined();
  });

  it("the session files are $CODEX_HOME/sessions; they hold a thread when its rollout is there", () => {
    const files = codex.conversationFiles!("/h");
    expect(files.directory).toBe("/h/.codex/sessions");
    const saved = ["2026/12/04/rollout-2026-12-04T10-00-00-01a2-abc.jsonl"];
    expect(files.holdsSession(saved, "01a2-abc")).toBe(true);
    expect(files.holdsSession(saved, "abc")).toBe(false);
    expect(files.holdsSession(saved, "01a2")).toBe(false);
    expect(files.holdsSession([], "01a2-abc")).toBe(false);
  });
});
