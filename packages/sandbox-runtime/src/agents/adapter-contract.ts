/**
 * The contract every AgentAdapter must pass, as one shared vitest suite (the way hono runs one
 * suite over every router): `describeAgentAdapterContract(name, makeAdapter, fixtures)`. An
 * adapter's own test file calls it with the CLI's recorded output; CLI-specific details stay in
 * that adapter's own tests.
 *
 * What it holds every adapter to:
 * - launch is headless: the CLI reads nothing from stdin, its config lives in the private HOME,
 *   and the prompt is one argv element, verbatim, never text for a shell to interpret;
 * - its parser turns a recorded turn into wire-valid events: tool starts paired with their ends by
 *   id, a final message, per-turn usage, and a finished verdict;
 * - a provider error reported with exit code 0 is a failed turn with one error event;
 * - garbage or a truncated line never throws, and a turn cut off mid-line fails with an error;
 * - cancelling a turn ends the CLI's whole process group, background children included.
 *
 * The runner-level cases run the real turn runner on a stand-in executable under the adapter's
 * binary name that prints the recorded output (the real CLI would need the model service).
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { AgentEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, describe, expect, it } from "vitest";
import type { AgentAdapter, TurnVerdict } from "./adapter";
import type { TurnRequest, TurnResult } from "./contract";
import { createTurnRunner } from "./turn-runner";

export interface AgentAdapterFixtures {
  /** Recorded stdout of a turn that ran at least one tool and ended normally. */
  toolTurn: string;
  /** Recorded stdout of a turn whose model call failed while the CLI still exited 0. */
  providerError: string;
  /** Variables the model relay gives every turn (base URLs, placeholder keys), for an adapter whose prepare needs them. */
  env?: Record<string, string>;
  /**
   * The argv element carrying `prompt`, for a CLI whose parser has no `--` and would read a prompt
   * starting with "-" as an option (Pi): still one element, escaped. The prompt itself by default.
   */
  promptArgument?: (prompt: string) => string;
}

/** A prompt a shell or an option parser would misread: it must reach the CLI unchanged. */
const HOSTILE_PROMPT = `--help $(touch pwned) \`id\`; rm -rf ~ && echo "quoted" 'single' \\ |cat >x`;

function lines(recorded: string): string[] {
  return recorded.split("\n");
}

function parseAll(adapter: AgentAdapter, request: TurnRequest, input: string[]) {
  const parser = adapter.createParser(request, adapter.launch(request));
  const events = input.flatMap((line) => parser.parseLine(line));
  return { events, verdict: parser.finish() as TurnVerdict };
}

function expectWireValid(events: AgentEvent[]): void {
  for (const event of events) expect(AgentEvent.safeParse(event).success, JSON.stringify(event)).toBe(true);
}

const ofType = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

/** Every path-like value in an environment (absolute paths, and each entry of a path list). */
function pathsIn(env: Record<string, string>): [string, string][] {
  return Object.entries(env).flatMap(([key, value]) =>
    value
      .split(":")
      .filter((part) => part.startsWith("/"))
      .map((part) => [key, part] as [string, string]),
  );
}

export function describeAgentAdapterContract(
  name: string,
  makeAdapter: () => AgentAdapter,
  fixtures: AgentAdapterFixtures,
): void {
  describe(`AgentAdapter contract: ${name}`, () => {
    const root = mkdtempSync(join(tmpdir(), "ns-adapter-contract-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    let caseNumber = 0;

    /** A fresh workspace, private HOME and state directory for one case. */
    function freshRequest(overrides: Partial<TurnRequest> = {}): TurnRequest & { state: string } {
      caseNumber += 1;
      const dir = join(root, `case-${caseNumber}`);
      const cwd = join(dir, "repo");
      const state = join(dir, "state");
      mkdirSync(cwd, { recursive: true });
      mkdirSync(state, { recursive: true });
      return {
        promptId: `prompt-${caseNumber}`,
        text: "Say hello",
        cwd,
        home: join(dir, "home"),
        maxTurns: 3,
        timeoutMs: 20_000,
        env: { ...fixtures.env, REPLAY_STATE: state },
        signal: new AbortController().signal,
        state,
        ...overrides,
      };
    }

    /**
     * The stand-in CLI: records what it got on stdin, prints `stdout` (a file in the state
     * directory), then runs `tail` (shell) and exits 0.
     */
    function standIn(adapter: AgentAdapter, state: string, stdout: string, tail = "") {
      const bin = join(state, "bin");
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(state, "stdout.jsonl"), stdout);
      const script = [
        "#!/bin/sh",
        'cat > "$REPLAY_STATE/stdin.txt"',
        'cat "$REPLAY_STATE/stdout.jsonl"',
        tail,
        "exit 0",
      ].join("\n");
      writeFileSync(join(bin, adapter.binary.name), script);
      chmodSync(join(bin, adapter.binary.name), 0o755);
      return createTurnRunner({
        adapters: { [adapter.agent]: adapter },
        binarySearch: {
          fromUrl: import.meta.url,
          overrideDir: bin,
          path: "/usr/bin:/bin",
          skipPackages: true,
        },
        parentEnv: { PATH: "/usr/bin:/bin" },
        killGraceMs: 1_000,
      });
    }

    async function runTurn(adapter: AgentAdapter, request: TurnRequest, runner: ReturnType<typeof standIn>) {
      const events: AgentEvent[] = [];
      const result: TurnResult = await runner(adapter.agent, request, (e) => events.push(e));
      expectWireValid(events);
      expect(events.filter((e) => e.type === "turn.end")).toHaveLength(1);
      expect(events.at(-1)?.type).toBe("turn.end");
      return { events, result };
    }

    describe("launch is headless", () => {
      it("puts the prompt in argv verbatim, as one element a shell or an option parser never reads", () => {
        const adapter = makeAdapter();
        const launch = adapter.launch(freshRequest({ text: HOSTILE_PROMPT }));
        if (launch.stdin !== undefined) {
          // A CLI that would alter an argv prompt (OpenCode) takes it on stdin, verbatim, and nowhere else.
          expect(launch.stdin).toBe(HOSTILE_PROMPT);
          expect(launch.args.filter((a) => a.includes("pwned"))).toEqual([]);
          expect(Object.values(launch.env).join("\n")).not.toContain("pwned");
          return;
        }
        const at = launch.args.indexOf(fixtures.promptArgument?.(HOSTILE_PROMPT) ?? HOSTILE_PROMPT);
        expect(at, "the prompt is one argv element, unchanged").toBeGreaterThan(0);
        expect(launch.args.filter((a) => a.includes("pwned"))).toHaveLength(1);
        // Behind `--` (so "--help" is not an option), as the value of a flag naming it, or joined to
        // its flag (`--prompt=<prompt>`: Gemini CLI, whose parser refuses a value starting with "-").
        const joined = /^--[a-z-]+=/.test(launch.args[at]!);
        expect(joined || launch.args[at - 1] === "--" || launch.args[at - 1]?.startsWith("-")).toBe(true);
        expect(launch.args).not.toContain("-c"); // no `sh -c <prompt>` wrapper
        expect(["sh", "bash", "/bin/sh", "/bin/bash"]).not.toContain(adapter.binary.name);
        expect(Object.values(launch.env).join("\n")).not.toContain("pwned");
      });

      it("a prompt too long for one argv element (Linux's 128 KiB) goes whole on stdin, not in argv", async () => {
        const adapter = makeAdapter();
        const text = `${"漢".repeat(50_000)} END-OF-PROMPT`;
        const request = freshRequest({ text });
        await adapter.prepare?.(request);
        const launch = adapter.launch(request);
        expect(launch.stdin).toBe(text);
        expect(Math.max(...launch.args.map((a) => Buffer.byteLength(a)))).toBeLessThan(128 * 1024);
      });

      it("keeps the CLI's configuration inside the private HOME", async () => {
        const adapter = makeAdapter();
        const request = freshRequest();
        await adapter.prepare?.(request);
        const launch = adapter.launch(request);
        for (const [key, path] of pathsIn(launch.env)) {
          expect(relative(request.home, path).startsWith(".."), `${key}=${path} is outside HOME`).toBe(false);
        }
        expect(launch.env.HOME ?? request.home).toBe(request.home);
        expect(readdirSync(request.cwd), "prepare leaves the repository alone").toEqual([]);
      });

      it("the CLI gets end-of-file on stdin and never the prompt there", async () => {
        const adapter = makeAdapter();
        const request = freshRequest({ text: "prompt-on-argv-only" });
        const runner = standIn(adapter, request.state, fixtures.toolTurn);
        const { result } = await runTurn(adapter, request, runner);
        expect(result.status).toBe("completed");
        // An adapter that passes the prompt on stdin gets exactly it there, then end-of-file.
        const expected = adapter.launch(request).stdin ?? "";
        expect(readFileSync(join(request.state, "stdin.txt"), "utf8")).toBe(expected);
      });
    });

    describe("parsing a recorded turn", () => {
      it("pairs every tool start with one end by id, and ends with a final message and per-turn usage", () => {
        const adapter = makeAdapter();
        const { events, verdict } = parseAll(adapter, freshRequest(), lines(fixtures.toolTurn));
        expectWireValid(events);
        const starts = ofType(events, "tool.start");
        const ends = ofType(events, "tool.end");
        expect(starts.length).toBeGreaterThan(0);
        expect(new Set(starts.map((s) => s.toolId)).size).toBe(starts.length);
        for (const start of starts) {
          const matching = ends.filter((e) => e.toolId === start.toolId);
          expect(matching, `tool ${start.toolId}`).toHaveLength(1);
          expect(events.indexOf(start)).toBeLessThan(events.indexOf(matching[0]!));
        }
        expect(ends.map((e) => e.toolId).sort()).toEqual(starts.map((s) => s.toolId).sort());
        const messages = ofType(events, "message");
        expect(messages.length).toBeGreaterThan(0);
        expect(events.indexOf(messages.at(-1)!)).toBeGreaterThan(events.indexOf(ends.at(-1)!));
        const usage = ofType(events, "usage");
        expect(usage).toHaveLength(1);
        expect(usage[0]!.inputTokens + usage[0]!.outputTokens).toBeGreaterThan(0);
        expect(ofType(events, "error")).toEqual([]);
        expect(verdict).toMatchObject({ finished: true, failed: false, unfinishedTools: [] });
        expect(verdict.summary).toBe(messages.at(-1)!.text);
      });

      it("a provider error reported with exit code 0 is one error event and a failed turn", async () => {
        const adapter = makeAdapter();
        const parsed = parseAll(adapter, freshRequest(), lines(fixtures.providerError));
        expectWireValid(parsed.events);
        expect(ofType(parsed.events, "error")).toHaveLength(1);
        expect(parsed.verdict.failed).toBe(true);

        const request = freshRequest();
        const { result, events } = await runTurn(
          adapter,
          request,
          standIn(adapter, request.state, fixtures.providerError),
        );
        expect(result.status).toBe("failed");
        expect(ofType(events, "error")).toHaveLength(1);
      });
    });

    describe("bad output", () => {
      it("garbage, binary and truncated lines yield events or nothing, never a throw, and later lines still parse", () => {
        const adapter = makeAdapter();
        const recorded = lines(fixtures.toolTurn).filter((l) => l.trim() !== "");
        const garbage = [
          "not json at all",
          "\u0000\u0001\u00ff binary",
          "{",
          '{"type":',
          "[]",
          "null",
          "42",
          `{"deep":${"[".repeat(5_000)}${"]".repeat(5_000)}}`,
          JSON.stringify({ type: "x".repeat(100_000) }),
          recorded[0]!.slice(0, Math.floor(recorded[0]!.length / 2)),
        ];
        const parser = adapter.createParser(freshRequest(), adapter.launch(freshRequest()));
        const events: AgentEvent[] = [];
        for (const line of [...garbage, ...recorded]) {
          expect(() => events.push(...parser.parseLine(line))).not.toThrow();
        }
        expectWireValid(events);
        expect(parser.finish()).toMatchObject({ finished: true, failed: false });
        expect(ofType(events, "tool.start").length).toBeGreaterThan(0);
      });

      it("a turn cut off mid-line (exit 0) fails with an error event, not a completed turn", async () => {
        const adapter = makeAdapter();
        const recorded = fixtures.toolTurn.trimEnd();
        const cut = recorded.slice(0, recorded.length - Math.min(40, recorded.length / 4));
        const request = freshRequest();
        const { result, events } = await runTurn(adapter, request, standIn(adapter, request.state, cut));
        expect(result.status).toBe("failed");
        expect(ofType(events, "error").length).toBeGreaterThan(0);
      });
    });

    describe("cancellation", () => {
      it("cancelling a turn ends the CLI's whole process group, background children included", async () => {
        const adapter = makeAdapter();
        const controller = new AbortController();
        const request = freshRequest({ signal: controller.signal });
        const lock = join(request.state, "child.lock");
        // A background child holds a lock for a minute, then the CLI waits: only a group kill frees it.
        const tail = `flock "${lock}" sh -c 'echo held > "$REPLAY_STATE/held"; exec sleep 60' &\nsleep 60`;
        const runner = standIn(adapter, request.state, fixtures.toolTurn, tail);
        const turn = runTurn(adapter, request, runner);
        await waitFor(() => existsSync(join(request.state, "held")), "the CLI's background child to start");
        controller.abort();
        const { result } = await turn;
        expect(result.status).toBe("cancelled");
        await waitFor(
          () => spawnSync("flock", ["-n", lock, "true"]).status === 0,
          "the background child to be gone (its lock released)",
          5_000,
        );
      }, 30_000);
    });
  });
}
