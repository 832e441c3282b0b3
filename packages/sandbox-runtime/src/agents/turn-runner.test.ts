/**
 * The turn runner's own decisions, before any CLI runs. Runs of the real CLI are in
 * claude-code.real-cli.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentEvent, type AgentName } from "@nightshift/protocol";
import { afterAll, describe, expect, it } from "vitest";
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
    const { result, errors } = await run("codex", base);
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
