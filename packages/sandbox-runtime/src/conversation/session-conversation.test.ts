/**
 * The session controller with conversation hooks: a resumed sandbox restores the conversation
 * before it says it is ready, so its first turn resumes the CLI session; every turn saves the
 * conversation before its turn.end (so a sandbox lost right after a turn loses nothing).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { seedRepo } from "../../test/git-fixtures";
import type { TurnRequest } from "../agents/contract";
import { silentLogger } from "../log";
import { SessionController, type SessionControllerOptions } from "../session/session-controller";
import { createGit, gitEnvironment } from "../workspace/git";
import { prepareWorkspace } from "../workspace/prepare-workspace";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function controllerWith(
  conversation: SessionControllerOptions["conversation"],
  turn: { writes?: string } = {},
) {
  const repo = seedRepo();
  roots.push(repo.root);
  const workdir = join(repo.root, "work");
  const env = gitEnvironment(process.env);
  const steps: string[] = [];
  const requests: TurnRequest[] = [];
  const emit = (event: AgentEvent) => {
    if (event.type === "turn.end" || event.type === "git.push") steps.push(event.type);
  };
  const controller = new SessionController({
    agent: "claude-code",
    branch: "nightshift/resume",
    workdir,
    maxTurns: 3,
    turnTimeoutMs: 10_000,
    agentHome: join(repo.root, "home"),
    agentEnv: {},
    emit,
    waitForRoom: () => Promise.resolve(),
    bridge: { setIdle: (idle) => steps.push(`idle:${idle}`), flush: async () => true },
    runTurn: async (_agent, request) => {
      requests.push(request);
      steps.push("turn");
      if (turn.writes) writeFileSync(join(request.cwd, turn.writes), "written by the turn\n");
      return { status: "completed", durationMs: 1, agentSessionId: request.resumeSessionId ?? "fresh-id" };
    },
    git: createGit(workdir, env, { repoUrl: repo.origin }),
    pushUrl: repo.origin,
    prepareWorkspace: () =>
      prepareWorkspace({
        repoUrl: repo.origin,
        workdir,
        branch: "nightshift/resume",
        gitEnv: env,
        emit,
        log: silentLogger,
      }),
    runHooks: async () => true,
    mask: (text) => text,
    log: silentLogger,
    conversation,
  });
  const prompt = (promptId: string) =>
    controller.handleControl({
      v: 1,
      type: "prompt",
      promptId,
      text: `do ${promptId}`,
      author: { name: "Ada", email: "ada@example.com" },
    });
  return { controller, steps, requests, prompt };
}

describe("session controller conversation hooks", () => {
  it("a resumed sandbox restores the conversation before ready and its first turn resumes that CLI session", async () => {
    const saved: (string | undefined)[] = [];
    const { controller, steps, requests, prompt } = controllerWith({
      restore: async () => {
        steps.push("restore");
        return "restored-session";
      },
      save: async (id) => {
        steps.push("save");
        saved.push(id);
      },
    });
    expect(await controller.start()).toBe(true);
    expect(steps).toEqual(["restore", "idle:true"]);
    prompt("p1");
    await waitFor(() => steps.includes("turn.end"), "the first turn to end", 10_000);
    expect(requests[0]?.resumeSessionId).toBe("restored-session");
    // Saved after the turn and before its turn.end.
    expect(steps.slice(steps.indexOf("turn"), steps.indexOf("turn.end") + 1)).toEqual([
      "turn",
      "save",
      "turn.end",
    ]);
    expect(saved).toEqual(["restored-session"]);
  });

  it("a fresh sandbox restores nothing, starts a new CLI session and saves it after every turn", async () => {
    const saved: (string | undefined)[] = [];
    const { controller, steps, requests, prompt } = controllerWith({
      save: async (id) => {
        saved.push(id);
      },
    });
    expect(await controller.start()).toBe(true);
    expect(steps).toEqual(["idle:true"]);
    prompt("p1");
    prompt("p2");
    await waitFor(() => steps.filter((s) => s === "turn.end").length === 2, "two turns to end", 10_000);
    expect(requests[0]?.resumeSessionId).toBeUndefined();
    expect(requests[1]?.resumeSessionId).toBe("fresh-id");
    expect(saved).toEqual(["fresh-id", "fresh-id"]);
  });

  it("the conversation is saved while git commits and pushes, not after: the turn ends after both", async () => {
    let savedBeforePush: boolean | undefined;
    const { controller, steps, prompt } = controllerWith(
      {
        save: async () => {
          savedBeforePush = !steps.includes("git.push");
          steps.push("save:start");
          // Still saving when the push lands: the turn must wait for the save too.
          await waitFor(() => steps.includes("git.push"), "the push", 10_000);
          steps.push("save:done");
        },
      },
      { writes: "notes.md" },
    );
    expect(await controller.start()).toBe(true);
    prompt("p1");
    await waitFor(() => steps.includes("turn.end"), "the turn to end", 10_000);
    expect(savedBeforePush).toBe(true);
    expect(steps.slice(steps.indexOf("turn"), steps.indexOf("turn.end") + 1)).toEqual([
      "turn",
      "save:start",
      "git.push",
      "save:done",
      "turn.end",
    ]);
  });

  it("a restore that finds nothing leaves the first turn to start a fresh CLI session", async () => {
    const { controller, requests, steps, prompt } = controllerWith({
      restore: async () => undefined,
      save: async () => {},
    });
    expect(await controller.start()).toBe(true);
    prompt("p1");
    await waitFor(() => steps.includes("turn.end"), "the turn to end", 10_000);
    expect(requests[0]?.resumeSessionId).toBeUndefined();
  });
});
