/**
 * The OpenCode adapter (opencode-ai, binary `opencode`): launches
 * `opencode run --format json --auto -m nightshift-<api>/<model>` with its configuration inline
 * (opencode-home.ts) and reads its JSON lines (opencode-records.ts).
 *
 * The prompt goes on stdin: `opencode run` joins its message arguments after wrapping every one
 * that holds a space in double quotes (escaping the quotes inside), `--` included, so a prompt on
 * argv reaches the model altered; stdin text reaches it verbatim.
 *
 * Headless: `--auto` answers OpenCode's permission questions with "once" (the inner sandbox is the
 * boundary, as with Claude Code's --dangerously-skip-permissions; without it they are rejected);
 * `run` itself denies the question and plan tools. `--title` on a new session skips the extra
 * model call OpenCode makes to name it. No update check, share, model catalogue fetch or LSP
 * download (environment below; the plugin install is pre-empted in opencode-home.ts).
 *
 * Mapping: `text` → `message` (whole: this mode has no token deltas); `tool_use` (printed once the
 * tool has finished) → `tool.start` and its `tool.end`, paired by the part id; the model calls'
 * `step_finish` tokens and costs → one `usage` when the turn ends (its last step, or an error);
 * `error` → one `error` event. Turn cap: the build agent's `steps` (its last step may not call
 * tools). OpenCode retries 429/5xx/network failures itself (up to 5 times, silently in this mode)
 * before its `error` line.
 */
import { AGENT_CATALOG, type AgentEvent, type ModelProvider } from "@nightshift/protocol";
import type { AgentAdapter, AgentLaunch, TurnParser, TurnVerdict } from "./adapter";
import { describeModelApiError } from "./model-api-errors";
import {
  databaseHolds,
  opencodeConfig,
  opencodeModelOf,
  opencodePaths,
  prepareOpencodeHome,
} from "./opencode-home";
import { ErrorLine, Line, StepFinishLine, TextLine, ToolUseLine, toolText } from "./opencode-records";
import { boundedId, ErrorLatch, parseJsonLine, stdoutLog, toolStartEvent } from "./parser-kit";
import { MESSAGE_MAX_CHARS, SUMMARY_MAX_CHARS, TOOL_OUTPUT_MAX_CHARS, truncateText } from "./text-limits";
import { usageEvent } from "./usage-cost";

const SOURCE = "opencode";
const NEW_SESSION_TITLE = "Nightshift session";

interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
}

const NO_TOKENS: Tokens = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };

export class OpencodeParser implements TurnParser {
  private sessionId: string | undefined;
  private finished = false;
  private readonly errors = new ErrorLatch();
  private lastText: string | undefined;
  private steps = 0;
  /** Usage of the model calls not yet reported in a `usage` event. */
  private pending: Tokens = { ...NO_TOKENS };

  constructor(
    sessionId: string | undefined,
    private readonly model: string,
    private readonly provider: ModelProvider,
    private readonly maxTurns: number,
  ) {
    this.sessionId = sessionId;
  }

  parseLine(line: string): AgentEvent[] {
    if (line.trim() === "") return [];
    const json = parseJsonLine(line);
    const base = Line.safeParse(json);
    if (!base.success) {
      return [stdoutLog(SOURCE, line)];
    }
    if (base.data.sessionID && !this.sessionId) this.sessionId = boundedId(base.data.sessionID);
    switch (base.data.type) {
      case "step_start":
        this.steps += 1;
        this.finished = false;
        return [];
      case "text":
        return this.onText(json);
      case "tool_use":
        return this.onToolUse(json);
      case "step_finish":
        return this.onStepFinish(json);
      case "error":
        return this.onError(json);
      default:
        return [];
    }
  }

  finish(): TurnVerdict {
    return {
      finished: this.finished,
      failed: this.errors.failed,
      sessionId: this.sessionId,
      summary: this.lastText ? truncateText(this.lastText, SUMMARY_MAX_CHARS) : undefined,
      // Tool calls are printed only once they have finished: none is ever left open.
      unfinishedTools: [],
    };
  }

  private onText(json: unknown): AgentEvent[] {
    const line = TextLine.safeParse(json);
    if (!line.success || line.data.part.text.trim() === "") return [];
    const { id, text } = line.data.part;
    this.lastText = text;
    return [
      {
        type: "message",
        messageId: boundedId(id),
        role: "assistant",
        text: truncateText(text, MESSAGE_MAX_CHARS),
      },
    ];
  }

  private onToolUse(json: unknown): AgentEvent[] {
    const line = ToolUseLine.safeParse(json);
    if (!line.success) return [];
    const { part } = line.data;
    const toolId = boundedId(part.callID ?? part.id);
    const name = boundedId(part.tool);
    const { state } = part;
    const exit = state.metadata?.exit;
    const isError = state.status === "error" || (typeof exit === "number" && exit !== 0);
    const output = state.status === "error" ? toolText(state.error) : toolText(state.output);
    return [
      toolStartEvent(toolId, name, state.input ?? {}),
      {
        type: "tool.end",
        toolId,
        name,
        output: truncateText(output.trimEnd(), TOOL_OUTPUT_MAX_CHARS),
        isError,
      },
    ];
  }

  private onStepFinish(json: unknown): AgentEvent[] {
    const line = StepFinishLine.safeParse(json);
    if (!line.success) return [];
    const { reason, tokens, cost } = line.data.part;
    this.pending = {
      input: this.pending.input + (tokens?.input ?? 0),
      // Reasoning tokens are billed as output.
      output: this.pending.output + (tokens?.output ?? 0) + (tokens?.reasoning ?? 0),
      cacheRead: this.pending.cacheRead + (tokens?.cache?.read ?? 0),
      cacheWrite: this.pending.cacheWrite + (tokens?.cache?.write ?? 0),
      cost: this.pending.cost + (cost ?? 0),
    };
    // "tool-calls": the tools ran and another model call follows; any other reason ends the turn.
    if (reason === "tool-calls") return [];
    this.finished = true;
    const events = this.flushUsage();
    if (this.steps >= this.maxTurns) {
      events.push({
        type: "log",
        source: SOURCE,
        stream: "stdout",
        text: `OpenCode used all ${this.maxTurns} of its steps (NIGHTSHIFT_MAX_TURNS); its last step could not run tools, so the work may be unfinished.`,
      });
    }
    return events;
  }

  private onError(json: unknown): AgentEvent[] {
    const line = ErrorLine.safeParse(json);
    this.finished = true;
    const events = this.flushUsage();
    if (!line.success)
      return [...events, ...this.errors.fail({ code: "agent_failed", message: "OpenCode failed." })];
    const { name, data } = line.data.error;
    const text = data?.message ?? name ?? "";
    if (name === "APIError" || data?.statusCode !== undefined) {
      return [
        ...events,
        ...this.errors.fail(
          describeModelApiError({ provider: this.provider, status: data?.statusCode, text }),
        ),
      ];
    }
    if (name === "ProviderAuthError") {
      return [
        ...events,
        ...this.errors.fail(
          describeModelApiError({ provider: this.provider, kind: "authentication_failed", text }),
        ),
      ];
    }
    return [
      ...events,
      ...this.errors.fail({
        code: "agent_failed",
        message: `OpenCode failed: ${[name, data?.message].filter(Boolean).join(": ") || "no reason given"}`,
      }),
    ];
  }

  /** One `usage` event for the model calls since the last one (none when they used nothing). */
  private flushUsage(): AgentEvent[] {
    const { input, output, cacheRead, cacheWrite, cost } = this.pending;
    this.pending = { ...NO_TOKENS };
    // OpenCode prices a call only when its config carries the model's price; 0 with tokens means "not priced".
    const event = usageEvent(
      { inputTokens: input, outputTokens: output, cacheReadTokens: cacheRead, cacheWriteTokens: cacheWrite },
      { model: this.model, provider: this.provider, ...(cost > 0 ? { reportedCostUsd: cost } : {}) },
    );
    return event ? [event] : [];
  }
}

export const opencode: AgentAdapter = {
  agent: "opencode",
  displayName: AGENT_CATALOG.opencode.displayName,
  binary: {
    name: "opencode",
    npmPackage: "opencode-ai",
    install:
      "run `pnpm install` in the Nightshift checkout (packages/sandbox-runtime depends on opencode-ai), or `npm install -g opencode-ai@1.18.33`",
  },

  async prepare(request) {
    await prepareOpencodeHome(request);
  },

  launch(request): AgentLaunch {
    const model = opencodeModelOf(request);
    const paths = opencodePaths(request.home);
    const args = [
      "run",
      "--format",
      "json",
      "--auto",
      "-m",
      model.ref,
      ...(request.resumeSessionId ? ["-s", request.resumeSessionId] : ["--title", NEW_SESSION_TITLE]),
    ];
    const env = {
      ...paths.env,
      OPENCODE_CONFIG_CONTENT: JSON.stringify(opencodeConfig(model, request.maxTurns)),
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_SHARE: "1",
      OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    };
    return {
      args,
      env,
      stdin: request.text,
      ...(request.resumeSessionId ? { sessionId: request.resumeSessionId } : {}),
    };
  },

  createParser(request, launch) {
    const model = opencodeModelOf(request);
    return new OpencodeParser(launch.sessionId, model.name, model.provider, request.maxTurns);
  },

  // One SQLite database (OPENCODE_DB) holds every session; `-s <id>` finds it by id, whatever the cwd.
  conversationFiles(home) {
    const directory = opencodePaths(home).sessionsDir;
    return { directory, holdsSession: (files, sessionId) => databaseHolds(directory, files, sessionId) };
  },
};
