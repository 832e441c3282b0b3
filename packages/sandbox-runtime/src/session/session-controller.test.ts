/**
 * Plumbing of the main loop. The `runTurn` here is a stand-in for the agent layer (the real
 * adapters are tested in src/agents): these tests are about ordering, serialization, cancel,
 * resume ids, git after a turn and shutdown, with real git repositories.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { git, seedRepo } from "../../test/git-fixtures";
import type { RunTurn, TurnRequest } from "../agents/contract";
import type { InboundControl } from "../bridge/bridge-client";
import { silentLogger } from "../log";
import { createGit, gitEnvironment } from "../workspace/git";
import { prepareWorkspace } from "../workspace/prepare-workspace";
import { SessionController } from "./session-controller";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const author = { name: "Grace Hopper", email: "grace@example.com" };
const prompt = (promptId: string, text: string): InboundControl => ({
  v: 1,
  type: "prompt",
  promptId,
  text,
  author,
});

function setup(runTurn: RunTurn, options: { hooksOk?: boolean; turnTimeoutMs?: number } = {}) {
  const repo = seedRepo();
  roots.push(repo.root);
  const workdir = join(repo.root, "work");
  const env = gitEnvironment(process.env);
  const events: AgentEvent[] = [];
  const idle: Array<[boolean, boolean | undefined]> = [];
  let flushed = 0;
  const emit = (event: AgentEvent) => events.push(event);
  const controller = new SessionController({
    agent: "claude-code",
    model: "test-model",
    branch: "nightshift/plumbing",
    workdir,
    maxTurns: 7,
    turnTimeoutMs: options.turnTimeoutMs ?? 10_000,
    agentHome: join(repo.root, "home"),
    agentEnv: { PATH: "/usr/bin" },
    emit,
    waitForRoom: () => Promise.resolve(),
    bridge: {
      setIdle: (value, announce) => idle.push([value, announce]),
      flush: async () => {
        flushed++;
        return true;
      },
    },
    runTurn,
    git: createGit(workdir, env, { repoUrl: repo.origin }),
    pushUrl: repo.origin,
    prepareWorkspace: () =>
      prepareWorkspace({
        repoUrl: repo.origin,
        workdir,
        branch: "nightshift/plumbing",
        gitEnv: env,
        emit,
        log: silentLogger,
      }),
    runHooks: async () => options.hooksOk ?? true,
    mask: (text) => text,
    log: silentLogger,
    cancelGraceMs: 500,
  });
  const turnEnds = () =>
    events.filter((e): e is Extract<AgentEvent, { type: "turn.end" }> => e.type === "turn.end");
  return { repo, workdir, events, idle, controller, turnEnds, flushed: () => flushed };
}

describe("SessionController", () => {
  it("prepares the workspace, then says it is idle (ready)", async () => {
    const { controller, idle } = setup(async () => ({ status: "completed", durationMs: 1 }));
    expect(await controller.start()).toBe(true);
    expect(idle).toEqual([[true, undefined]]);
  });

  it("does not become ready when a setup hook fails", async () => {
    const { controller, idle } = setup(async () => ({ status: "completed", durationMs: 1 }), {
      hooksOk: false,
    });
    expect(await controller.start()).toBe(false);
    expect(idle).toEqual([]);
  });

  it("runs a turn, commits and pushes its changes, then ends the turn (git.push before turn.end)", async () => {
    const requests: TurnRequest[] = [];
    const { controller, events, repo, workdir, turnEnds } = setup(async (_agent, request, emit) => {
      requests.push(request);
      writeFileSync(join(request.cwd, "result.txt"), "done\n");
      emit({ type: "message", messageId: "m1", role: "assistant", text: "I wrote result.txt" });
      // The agent layer's own turn.end is ignored: the loop emits the one that counts.
      emit({ type: "turn.end", status: "completed" });
      return { status: "completed", summary: "Write result.txt", agentSessionId: "cli-1", durationMs: 5 };
    });
    await controller.start();
    controller.handleControl(prompt("p1", "write the result"));
    await waitFor(() => turnEnds().length === 1, "turn.end");
    const kinds = events.map((e) => e.type).filter((t) => t !== "log");
    expect(kinds).toEqual(["message", "git.push", "turn.end"]);
    expect(turnEnds()[0]).toMatchObject({ promptId: "p1", status: "completed", summary: "Write result.txt" });
    const push = events.find((e) => e.type === "git.push");
    expect(push).toMatchObject({
      branch: "nightshift/plumbing",
      filesChanged: 1,
      insertions: 1,
      deletions: 0,
    });
    expect(git(repo.origin, "log", "-1", "--format=%an|%s", "nightshift/plumbing")).toBe(
      "Grace Hopper|Write result.txt",
    );
    expect(requests[0]).toMatchObject({
      promptId: "p1",
      text: "write the result",
      cwd: workdir,
      model: "test-model",
      maxTurns: 7,
      env: { PATH: "/usr/bin" },
    });
    expect(requests[0]!.resumeSessionId).toBeUndefined();
  });

  it("serializes prompts, resumes the CLI session and ignores a repeated prompt id", async () => {
    let active = 0;
    let maxActive = 0;
    const requests: TurnRequest[] = [];
    const { controller, turnEnds } = setup(async (_agent, request) => {
      requests.push(request);
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      active--;
      return { status: "completed", agentSessionId: `cli-${requests.length}`, durationMs: 20 };
    });
    await controller.start();
    controller.handleControl(prompt("p1", "one"));
    controller.handleControl(prompt("p2", "two"));
    controller.handleControl(prompt("p1", "one again"));
    await waitFor(() => turnEnds().length === 2, "two turns");
    expect(maxActive).toBe(1);
    expect(requests.map((r) => r.promptId)).toEqual(["p1", "p2"]);
    expect(requests[1]!.resumeSessionId).toBe("cli-1");
    expect(requests[0]!.home).toBe(requests[1]!.home);
  });

  it("cancel aborts the running turn's signal", async () => {
    const { controller, turnEnds } = setup(async (_agent, request) => {
      await new Promise((resolve) => request.signal.addEventListener("abort", resolve, { once: true }));
      return { status: "cancelled", durationMs: 1 };
    });
    await controller.start();
    controller.handleControl(prompt("p1", "wait"));
    await waitFor(() => controller.isBusy, "the turn to start");
    controller.handleControl({ v: 1, type: "cancel", promptId: "other" });
    controller.handleControl({ v: 1, type: "cancel" });
    await waitFor(() => turnEnds().length === 1, "turn.end");
    expect(turnEnds()[0]).toMatchObject({ promptId: "p1", status: "cancelled" });
  });

  it("stops a turn at the wall-clock limit and says why", async () => {
    const { controller, events, turnEnds } = setup(
      async (_agent, request) => {
        await new Promise((resolve) => request.signal.addEventListener("abort", resolve, { once: true }));
        return { status: "cancelled", durationMs: 1 };
      },
      { turnTimeoutMs: 100 },
    );
    await controller.start();
    controller.handleControl(prompt("p1", "forever"));
    await waitFor(() => turnEnds().length === 1, "turn.end");
    expect(turnEnds()[0]).toMatchObject({ status: "failed" });
    expect(events.find((e) => e.type === "error")).toMatchObject({ code: "turn_timeout" });
  });

  it("turns an agent layer that throws into an error event and a failed turn", async () => {
    const { controller, events, turnEnds } = setup(async () => {
      throw new Error("CLI not installed");
    });
    await controller.start();
    controller.handleControl(prompt("p1", "go"));
    await waitFor(() => turnEnds().length === 1, "turn.end");
    expect(events.find((e) => e.type === "error")).toMatchObject({
      code: "agent_failed",
      message: expect.stringContaining("CLI not installed"),
    });
    expect(turnEnds()[0]).toMatchObject({ status: "failed" });
  });

  it("moves on when a cancelled turn never returns", async () => {
    const { controller, turnEnds } = setup(() => new Promise(() => {}));
    await controller.start();
    controller.handleControl(prompt("p1", "hang"));
    await waitFor(() => controller.isBusy, "the turn to start");
    controller.handleControl({ v: 1, type: "cancel" });
    await waitFor(() => turnEnds().length === 1, "turn.end after the grace period");
    expect(turnEnds()[0]).toMatchObject({ status: "cancelled" });
  });

  it("shutdown cancels the turn, skips git and flushes", async () => {
    const { controller, turnEnds, flushed, workdir } = setup(async (_agent, request) => {
      writeFileSync(join(request.cwd, "partial.txt"), "half\n");
      await new Promise((resolve) => request.signal.addEventListener("abort", resolve, { once: true }));
      return { status: "cancelled", durationMs: 1 };
    });
    await controller.start();
    controller.handleControl(prompt("p1", "work"));
    await waitFor(() => controller.isBusy, "the turn to start");
    await controller.shutdown("test over");
    expect(turnEnds()).toMatchObject([{ promptId: "p1", status: "cancelled" }]);
    expect(flushed()).toBe(1);
    expect(git(workdir, "status", "--porcelain")).toContain("partial.txt");
    controller.handleControl(prompt("p2", "too late"));
    expect(turnEnds()).toHaveLength(2);
    expect(turnEnds()[1]).toMatchObject({ promptId: "p2", status: "cancelled" });
  });
});
