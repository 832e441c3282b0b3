/**
 * The turn runner's own decisions: before any CLI runs, and the generic handling of a process
 * (crash, stderr, huge lines, secrets) with a minimal adapter that runs its prompt as a shell
 * script. Runs of the real Claude Code CLI are in claude-code.real-cli.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentEvent, type AgentName } from "@nightshift/protocol";
import { afterAll, describe, expect, it } from "vitest";
import type { AgentAdapter, TurnVerdict } from "./adapter";
import type { TurnRequest } from "./contract";
import { createTurnRunner } from "./turn-runner";

const root = mkdtempSync(join(tmpdir(), "ns-turn-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base: TurnRequest = {
  promptId: "prompt-1",
  text: "do it",
  cwd: root,
  home: join(root, "home"),
  maxTurns: 2,
  timeoutMs: 10_000,
  env: {},
  signal: new AbortController().signal,
};

/** A runner that can find no CLI anywhere. */
const nowhere = createTurnRunner({
  binarySearch: { fromUrl: import.meta.url, path: "", skipPackages: true },
  parentEnv: {},
});

async function run(agent: string, request: TurnRequest, runner = nowhere) {
  const events: AgentEvent[] = [];
  const result = await runner(agent as AgentName, request, (e) => events.push(e));
  for (const event of events) expect(AgentEvent.safeParse(event).success).toBe(true);
  const ends = events.filter((e) => e.type === "turn.end");
  expect(ends).toHaveLength(1);
  expect(events.at(-1)).toBe(ends[0]);
  expect(ends[0]).toMatchObject({
    status: result.status,
    promptId: "prompt-1",
    durationMs: result.durationMs,
  });
  return { events, result, errors: events.filter((e) => e.type === "error") };
}

describe("runTurn before the CLI starts", () => {
  it("an agent without an adapter is a clear error", async () => {
    // A registry without Codex: the default one runs every agent that has an adapter.
    const onlyClaude = createTurnRunner({
      adapters: { "claude-code": { agent: "claude-code" } as AgentAdapter },
      binarySearch: { fromUrl: import.meta.url, path: "", skipPackages: true },
      parentEnv: {},
    });
    const { result, errors } = await run("codex", base, onlyClaude);
    expect(result.status).toBe("failed");
    expect(errors).toEqual([
      {
        type: "error",
        code: "agent_unsupported",
        message: "agent codex is not supported yet; choose one of: claude-code.",
      },
    ]);
  });

  it("an unknown agent name is rejected too", async () => {
    const { errors } = await run("vim", base);
    expect(errors[0]?.message).toContain('unknown agent "vim"');
  });

  it("a missing CLI names the binary, where it looked and how to install it", async () => {
    const { result, errors } = await run("claude-code", base);
    expect(result.status).toBe("failed");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "agent_cli_missing" });
    const { message } = errors[0] as { message: string };
    expect(message).toContain("Claude Code CLI (`claude`) was not found");
    expect(message).toContain("PATH");
    expect(message).toContain("@anthropic-ai/claude-code");
  });

  it("an invalid request names the bad fields", async () => {
    const { errors } = await run("claude-code", { ...base, cwd: "relative/dir", text: "  ", maxTurns: 0 });
    expect(errors[0]).toMatchObject({ code: "invalid_turn_request" });
    const { message } = errors[0] as { message: string };
    expect(message).toContain("cwd: cwd must be an absolute path");
    expect(message).toContain("text: the prompt is empty");
    expect(message).toContain("maxTurns");
  });

  it("a missing working directory is reported before launching", async () => {
    const runner = createTurnRunner({ parentEnv: {} });
    const { errors } = await run("claude-code", { ...base, cwd: join(root, "not-cloned") }, runner);
    expect(errors[0]).toMatchObject({ code: "workspace_missing" });
  });

  it("an already aborted signal cancels without starting anything", async () => {
    const controller = new AbortController();
    controller.abort();
    const { result, errors } = await run(
      "claude-code",
      { ...base, signal: controller.signal },
      createTurnRunner(),
    );
    expect(result.status).toBe("cancelled");
    expect(errors).toEqual([]);
  });

  it("an emit that throws does not break the turn", async () => {
    const result = await nowhere("claude-code", base, () => {
      throw new Error("listener bug");
    });
    expect(result.status).toBe("failed");
  });
});

/** Runs the prompt with /bin/sh; stdout lines "SAY <text>" become messages, "DONE" finishes the turn. */
const shellAdapter: AgentAdapter = {
  agent: "pi",
  displayName: "Shell",
  binary: { name: "sh", install: "install a POSIX shell" },
  launch: (request) => ({ args: ["-c", request.text], env: { FROM_ADAPTER: "adapter" } }),
  createParser: () => {
    let finished = false;
    return {
      parseLine(line): AgentEvent[] {
        if (line === "DONE") finished = true;
        if (!line.startsWith("SAY ")) return [];
        return [{ type: "message", messageId: "m", role: "assistant", text: line.slice(4) }];
      },
      finish: (): TurnVerdict => ({ finished, failed: false, unfinishedTools: [] }),
    };
  },
};
const shellRunner = createTurnRunner({
  adapters: { pi: shellAdapter },
  binarySearch: { fromUrl: import.meta.url, path: "/bin:/usr/bin", skipPackages: true },
  parentEnv: { PATH: "/bin:/usr/bin", SECRET_OF_THE_RUNTIME: "runtime-only" },
  maxLineBytes: 1024,
  maxStderrEvents: 3,
});

describe("runTurn around a process", () => {
  it("passes the environment layers and none of the runtime's own variables", async () => {
    // A shell default-value expansion, written out so the linter does not take it for a template.
    const fallback = ["$", "{SECRET_OF_THE_RUNTIME:-unset}"].join("");
    const script = `echo "SAY $FROM_ADAPTER $FROM_REQUEST $HOME ${fallback}"; echo DONE`;
    const { result, events } = await run(
      "pi",
      { ...base, text: script, env: { FROM_REQUEST: "request" } },
      shellRunner,
    );
    expect(result.status).toBe("completed");
    expect(events.find((e) => e.type === "message")).toMatchObject({
      text: `adapter request ${base.home} unset`,
    });
  });

  it("a crash is an error with the stderr tail, secrets masked", async () => {
    const script = 'echo "using key $API_KEY" >&2; echo "fatal: boom" >&2; exit 3';
    const { result, errors } = await run(
      "pi",
      { ...base, text: script, env: { API_KEY: "sk-very-secret" } },
      shellRunner,
    );
    expect(result.status).toBe("failed");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "agent_crashed" });
    const { message } = errors[0] as { message: string };
    expect(message).toContain("Shell exited with code 3 before finishing the turn");
    expect(message).toContain("fatal: boom");
    expect(message).toContain("using key [redacted]");
    expect(message).not.toContain("sk-very-secret");
  });

  it("forwards a bounded number of stderr lines and reports a line over the size limit", async () => {
    const script =
      "for i in 1 2 3 4 5 6; do echo line$i >&2; done; head -c 5000 /dev/zero | tr '\\0' x; echo; echo DONE";
    const { result, events } = await run("pi", { ...base, text: script }, shellRunner);
    expect(result.status).toBe("completed");
    // stdout and stderr are separate pipes: only the order within each is defined.
    const logs = (stream: string) =>
      events.flatMap((e) => (e.type === "log" && e.stream === stream ? [e.text] : []));
    expect(logs("stderr")).toEqual([
      "line1",
      "line2",
      "line3",
      "(more stderr output from Shell is not forwarded; the last lines appear in any error)",
    ]);
    expect(logs("stdout")).toEqual([
      "(an output line of 5000 bytes was over the 1024-byte limit and was skipped)",
    ]);
  });

  it("a process that exits 0 without finishing is still a failure", async () => {
    const { result, errors } = await run("pi", { ...base, text: "echo SAY half-way" }, shellRunner);
    expect(result.status).toBe("failed");
    expect((errors[0] as { message: string }).message).toContain(
      "exited with code 0 before finishing the turn",
    );
  });
});
