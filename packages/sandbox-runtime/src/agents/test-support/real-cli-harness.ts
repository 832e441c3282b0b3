/**
 * What every `*.real-cli.test.ts` shares: a temp HOME and cwd per test, the turn request builder,
 * a `runTurn` that checks every event is wire-valid and the turn ends with exactly one `turn.end`,
 * and probes of /proc for the processes a turn left behind. Each file keeps its own model server
 * and the assertions about its CLI.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentEvent } from "@nightshift/protocol";
import { type ScriptedModel, startScriptedModel } from "@nightshift/testkit";
import { expect } from "vitest";
import { environHolds, processTable } from "../../process/proc-table";
import type { RunTurn, TurnRequest, TurnResult } from "../contract";
import { createTurnRunner } from "../turn-runner";

export interface Workspace {
  root: string;
  /** The (empty) working directory of the turn. */
  cwd: string;
  /** The turn's HOME; the CLI creates it. */
  home: string;
}

/** A fresh temp root holding `work` (created) and `home`; `onCleanup` receives its removal. */
export function tempWorkspace(prefix: string, onCleanup: (cleanup: () => void) => void): Workspace {
  const root = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const cwd = join(root, "work");
  const home = join(root, "home");
  mkdirSync(cwd);
  return { root, cwd, home };
}

export interface RequestDefaults {
  model: string;
  timeoutMs: number;
  env: Record<string, string>;
}

/** A turn request in `workspace` with a fresh prompt id, five turns at most and no abort yet. */
export function turnRequest(
  workspace: Pick<Workspace, "cwd" | "home">,
  defaults: RequestDefaults,
  text: string,
  overrides: Partial<TurnRequest> = {},
): TurnRequest {
  return {
    promptId: randomUUID(),
    text,
    cwd: workspace.cwd,
    home: workspace.home,
    model: defaults.model,
    maxTurns: 5,
    timeoutMs: defaults.timeoutMs,
    env: defaults.env,
    signal: new AbortController().signal,
    ...overrides,
  };
}

export type CheckedRun = (
  request: TurnRequest,
  events?: AgentEvent[],
) => Promise<{ result: TurnResult; events: AgentEvent[] }>;

/**
 * Runs turns of `agent` with only PATH from the parent environment and checks what every turn
 * owes its caller: wire-valid events, one `turn.end`, last, matching the result. `events` may be
 * passed in to watch them while the turn runs.
 */
export function checkedTurns(agent: Parameters<RunTurn>[0]): CheckedRun {
  const runTurn = createTurnRunner({ parentEnv: { PATH: process.env.PATH }, killGraceMs: 1_000 });
  return async (request, events = []) => {
    const result = await runTurn(agent, request, (event) => events.push(event));
    for (const event of events) expect(AgentEvent.safeParse(event).success, JSON.stringify(event)).toBe(true);
    expect(events.filter((e) => e.type === "turn.end")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({
      type: "turn.end",
      status: result.status,
      promptId: request.promptId,
    });
    return { result, events };
  };
}

/** A test's own scripted model, workspace, request builder and checked `run`. */
export interface ModelHarness extends Workspace {
  model: ScriptedModel;
  request(text: string, overrides?: Partial<TurnRequest>): TurnRequest;
  run(request: TurnRequest): Promise<{ result: TurnResult; events: AgentEvent[] }>;
}

/**
 * For files whose tests each get a model server of their own: starts it (in autopilot when asked),
 * makes the workspace, and hands both removals to `onCleanup` (run them last-in, first-out).
 */
export async function harnessWithOwnModel(setup: {
  run: CheckedRun;
  apiKey: string;
  workspacePrefix: string;
  defaults: (model: ScriptedModel) => RequestDefaults;
  onCleanup: (cleanup: () => Promise<void> | void) => void;
  autopilot?: boolean;
}): Promise<ModelHarness> {
  const model = await startScriptedModel({
    apiKey: setup.apiKey,
    ...(setup.autopilot === undefined ? {} : { autopilot: setup.autopilot }),
  });
  const workspace = tempWorkspace(setup.workspacePrefix, setup.onCleanup);
  setup.onCleanup(() => model.close());
  const defaults = setup.defaults(model);
  return {
    model,
    ...workspace,
    request: (text, overrides) => turnRequest(workspace, defaults, text, overrides),
    run: (request) => setup.run(request),
  };
}

export const ofType = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

/** Running processes (zombies and this one excluded) for which `matches(pid)` holds. */
function runningProcesses(matches: (pid: number) => boolean): number[] {
  return (processTable() ?? [])
    .filter((stat) => stat.pid !== process.pid && stat.state !== "Z")
    .filter((stat) => {
      try {
        return matches(stat.pid);
      } catch {
        return false; // gone while we looked
      }
    })
    .map((stat) => stat.pid);
}

/** Running processes whose command line contains `marker` (zombies excluded). */
export const processesWith = (marker: string): number[] =>
  runningProcesses((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").includes(marker),
  );

/** Running processes whose environment holds `entry` (zombies excluded): a CLI and its tools carry HOME. */
export const processesWithEnv = (entry: string): number[] =>
  runningProcesses((pid) => environHolds(pid, entry));

/**
 * A model reply slower than the turn's limit: the turn fails with one `turn_timeout` error that
 * names the limit, within `withinMs` of its start, and the CLI (its argv holds the prompt) is gone.
 */
export async function expectTurnTimeout(setup: {
  model: ScriptedModel;
  turn: (
    text: string,
    overrides: Partial<TurnRequest>,
  ) => Promise<{ result: TurnResult; events: AgentEvent[] }>;
  limitSeconds: number;
  withinMs: number;
}): Promise<void> {
  setup.model.enqueue({ kind: "text", text: "too late", delayMs: 60_000 });
  const marker = `slow-${randomUUID()}`;
  const started = Date.now();
  const { result, events } = await setup.turn(`Answer slowly ${marker}`, {
    timeoutMs: setup.limitSeconds * 1000,
  });
  expect(result.status).toBe("failed");
  const errors = ofType(events, "error");
  expect(errors.map((e) => e.code)).toEqual(["turn_timeout"]);
  expect(errors[0]!.message).toContain(`limit of ${setup.limitSeconds} s`);
  expect(Date.now() - started).toBeLessThan(setup.withinMs);
  expect(processesWith(marker)).toEqual([]);
}
