/**
 * `runTurn`: one prompt, one headless CLI run, normalized events out. It validates the request,
 * picks the adapter, finds the binary, builds the minimal environment, supervises the process
 * (see supervised-run.ts) and decides the turn's status.
 *
 * `runTurn` emits exactly one `turn.end` (status, promptId, durationMs, summary) as its last
 * event and returns the same facts; it never throws for anything the CLI or the request does.
 * (The runtime's session controller replaces that `turn.end` with its own after git; other
 * callers can rely on it.) Cancellation (the request's signal) gives status "cancelled" and
 * no error event; every failure gives one `error` event saying what to do, then "failed".
 */
import { mkdir, stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { AGENTS, type AgentEvent, type AgentName } from "@nightshift/protocol";
import { z } from "zod";
import { type ChildLauncher, childLauncher } from "../process/inner-sandbox";
import type { AgentAdapter } from "./adapter";
import { type BinarySearch, describeSearch, resolveAgentBinary } from "./agent-binary";
import { buildChildEnv, maskSecrets, secretValues } from "./child-env";
import type { EmitEvent, RunTurn, TurnRequest, TurnResult } from "./contract";
import { type AdapterRegistry, defaultAdapters } from "./registry";
import { runSupervised } from "./supervised-run";
import { ERROR_MAX_CHARS, LOG_LINE_MAX_CHARS, truncateText } from "./text-limits";

export interface TurnRunnerOptions {
  adapters?: AdapterRegistry;
  /** Where to look for CLIs; by default NIGHTSHIFT_AGENT_BIN_DIR, the runtime's node_modules, then PATH. */
  binarySearch?: BinarySearch;
  /** The environment the allowlisted variables come from; process.env by default. */
  parentEnv?: Readonly<Record<string, string | undefined>>;
  /** SIGTERM → SIGKILL grace when stopping a CLI (ms). */
  killGraceMs?: number;
  /** Longest stdout line kept (bytes); longer lines are dropped with a log event. */
  maxLineBytes?: number;
  /** stderr lines forwarded as `log` events per turn (the rest are only counted). */
  maxStderrEvents?: number;
  /** How the CLI is started: inside the inner sandbox when it works here (the default). */
  launcher?: ChildLauncher;
}

const absolutePath = (what: string) =>
  z.string().min(1, `${what} is required`).refine(isAbsolute, `${what} must be an absolute path`);

const TurnRequestSchema = z.object({
  promptId: z.string().min(1).max(200),
  text: z
    .string()
    .refine((t) => t.trim() !== "", "the prompt is empty")
    .refine((t) => !t.includes("\0"), "the prompt contains a NUL byte"),
  cwd: absolutePath("cwd"),
  home: absolutePath("home"),
  model: z.string().min(1).max(200).optional(),
  resumeSessionId: z.string().min(1).max(200).optional(),
  maxTurns: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  hiddenPaths: z.array(absolutePath("hiddenPaths[]")).optional(),
  env: z.record(z.string(), z.string()),
  signal: z.instanceof(AbortSignal, { message: "signal must be an AbortSignal" }),
});

/** "90 s", "30 min": limits as people say them. */
function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code}`;
}

export function createTurnRunner(options: TurnRunnerOptions = {}): RunTurn {
  const adapters = options.adapters ?? defaultAdapters;
  const parentEnv = options.parentEnv ?? process.env;
  const killGraceMs = options.killGraceMs ?? 3_000;
  const maxLineBytes = options.maxLineBytes ?? 8 * 1024 * 1024;
  const maxStderrEvents = options.maxStderrEvents ?? 200;
  const launcher = options.launcher ?? childLauncher;

  return async function runTurn(
    agent: AgentName,
    request: TurnRequest,
    emit: EmitEvent,
  ): Promise<TurnResult> {
    const started = Date.now();
    const send = (event: AgentEvent) => {
      try {
        emit(event);
      } catch {
        // The caller's emit must not throw; if it does, that one event is lost, not the turn.
      }
    };
    const promptId =
      typeof request?.promptId === "string" && request.promptId ? request.promptId.slice(0, 200) : undefined;
    const end = (
      status: TurnResult["status"],
      extra: { summary?: string; agentSessionId?: string } = {},
    ): TurnResult => {
      const durationMs = Math.max(0, Date.now() - started);
      send({
        type: "turn.end",
        status,
        durationMs,
        ...(promptId ? { promptId } : {}),
        ...(extra.summary ? { summary: extra.summary } : {}),
      });
      return { status, durationMs, ...extra };
    };
    const fail = (
      code: string,
      message: string,
      extra: { summary?: string; agentSessionId?: string } = {},
    ) => {
      send({ type: "error", code, message: truncateText(message, ERROR_MAX_CHARS) });
      return end("failed", extra);
    };

    const parsed = TurnRequestSchema.safeParse(request);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join(".") || "request"}: ${i.message}`)
        .join("; ");
      return fail("invalid_turn_request", `The turn request is invalid (${issues}).`);
    }
    const adapter: AgentAdapter | undefined = adapters[agent];
    if (!adapter) {
      const supported = AGENTS.filter((name) => adapters[name]).join(", ");
      const known = (AGENTS as readonly string[]).includes(agent);
      return fail(
        "agent_unsupported",
        known
          ? `agent ${agent} is not supported yet; choose one of: ${supported}.`
          : `unknown agent "${String(agent)}"; choose one of: ${supported}.`,
      );
    }
    if (request.signal.aborted) return end("cancelled", { agentSessionId: request.resumeSessionId });

    // Read per turn: the environment may change between turns (tests, a reconfigured runtime).
    const search: BinarySearch = options.binarySearch ?? {
      overrideDir: parentEnv.NIGHTSHIFT_AGENT_BIN_DIR || undefined,
      fromUrl: import.meta.url,
      path: parentEnv.PATH,
    };
    const binary = resolveAgentBinary(adapter.binary, search);
    if (!binary) {
      return fail(
        "agent_cli_missing",
        `The ${adapter.displayName} CLI (\`${adapter.binary.name}\`) was not found (looked in ${describeSearch(adapter.binary, search)}). To install it: ${adapter.binary.install}.`,
      );
    }
    const cwdStat = await stat(request.cwd).catch(() => undefined);
    if (!cwdStat?.isDirectory()) {
      return fail(
        "workspace_missing",
        `The working directory ${request.cwd} does not exist; the repository must be checked out before a turn runs.`,
      );
    }
    try {
      await mkdir(request.home, { recursive: true });
      await adapter.prepare?.(request);
    } catch (error) {
      return fail(
        "agent_setup_failed",
        `Could not prepare ${adapter.displayName}'s home ${request.home}: ${(error as Error).message}.`,
      );
    }

    const launch = adapter.launch(request);
    const parser = adapter.createParser(request, launch);
    const secrets = secretValues(request.env);
    let stderrEvents = 0;
    const env = buildChildEnv({
      parent: parentEnv,
      home: request.home,
      adapterEnv: launch.env,
      requestEnv: request.env,
    });
    // The CLI and its tools must not reach the runtime: they start inside the inner sandbox.
    const spawned = await launcher.launch(
      binary,
      launch.args,
      { cwd: request.cwd, writable: [request.home], hidden: request.hiddenPaths ?? [], tmpDir: env.TMPDIR },
      (text) => send({ type: "log", source: "nightshift", stream: "stderr", text }),
    );
    const run = await runSupervised({
      command: spawned.command,
      args: spawned.args,
      cwd: request.cwd,
      env,
      ...(launch.stdin !== undefined ? { stdin: launch.stdin } : {}),
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      maxLineBytes,
      killGraceMs,
      drainMs: 2_000,
      stderrTailLines: 20,
      onStdoutLine: (line) => {
        let events: AgentEvent[] = [];
        try {
          events = parser.parseLine(line);
        } catch {
          // A parser must not throw; if one does, the line is skipped rather than the turn lost.
        }
        for (const event of events) send(event);
      },
      onStderrLine: (line) => {
        let forward: boolean | undefined;
        try {
          forward = parser.noteStderrLine?.(line);
        } catch {
          // Like parseLine: a parser that throws loses the line, not the turn.
        }
        if (forward === false || line.trim() === "") return;
        stderrEvents += 1;
        if (stderrEvents === maxStderrEvents + 1) {
          const note = `(more stderr output from ${adapter.displayName} is not forwarded; the last lines appear in any error)`;
          send({ type: "log", source: adapter.agent, stream: "stderr", text: note });
        }
        if (stderrEvents > maxStderrEvents) return;
        const text = maskSecrets(truncateText(line, LOG_LINE_MAX_CHARS), secrets);
        send({ type: "log", source: adapter.agent, stream: "stderr", text });
      },
      onOversizeLine: (bytes) =>
        send({
          type: "log",
          source: adapter.agent,
          stream: "stdout",
          text: `(an output line of ${bytes} bytes was over the ${maxLineBytes}-byte limit and was skipped)`,
        }),
    });

    const verdict = parser.finish();
    // Close tool calls left open, so that watchers do not show them running forever.
    const stopped =
      run.stoppedFor === "cancelled"
        ? "the turn was cancelled"
        : run.stoppedFor === "timeout"
          ? "the turn ran out of time"
          : `${adapter.displayName} ended`;
    for (const tool of verdict.unfinishedTools) {
      send({
        type: "tool.end",
        toolId: tool.toolId,
        name: tool.name,
        output: `(no result: ${stopped} before the tool finished)`,
        isError: true,
      });
    }
    const extra = {
      ...(verdict.summary ? { summary: verdict.summary } : {}),
      ...((verdict.sessionId ?? launch.sessionId)
        ? { agentSessionId: verdict.sessionId ?? launch.sessionId }
        : {}),
    };
    if (run.spawnError) {
      return fail(
        "agent_start_failed",
        `Could not start ${adapter.displayName} (${binary}): ${run.spawnError.message}.`,
        extra,
      );
    }
    if (run.stoppedFor === "cancelled") return end("cancelled", extra);
    if (run.stoppedFor === "timeout") {
      return fail(
        "turn_timeout",
        `The turn ran past its time limit of ${formatDuration(request.timeoutMs)} and ${adapter.displayName} was stopped; raise NIGHTSHIFT_TURN_TIMEOUT_MS or split the task into smaller prompts.`,
        extra,
      );
    }
    if (verdict.failed) return end("failed", extra);
    if (!verdict.finished || run.exitCode !== 0) {
      const tail = maskSecrets(run.stderrTail.join("\n").trim(), secrets);
      const how = describeExit(run.exitCode, run.exitSignal);
      const what = verdict.finished ? "after finishing the turn" : "before finishing the turn";
      return fail(
        "agent_crashed",
        `${adapter.displayName} ${how} ${what}.${tail ? ` Its last stderr output: ${tail}` : " It wrote nothing on stderr."}`,
        extra,
      );
    }
    return end("completed", extra);
  };
}
