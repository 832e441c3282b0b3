/**
 * The Gemini CLI adapter: launches `gemini --output-format stream-json --skip-trust --yolo` with
 * the prompt on `--prompt=` and reads its JSON lines (records: gemini-records.ts; recorded output
 * from @google/gemini-cli 0.61.0 in fixtures/gemini-*.jsonl).
 *
 * Mapping: assistant `message` deltas → `message.delta`, and the text gathered since the last
 * tool record → one `message` (the CLI never prints the whole message; ids are ours: the CLI has
 * none); `tool_use` → `tool.start`, `tool_result` → `tool.end` paired by `tool_id`; `result` →
 * `usage` for this invocation (`stats` are per process; tokens only, so the cost is the list
 * price) and, when it failed, one `error`. A failed model call is `result{status:"error"}` quoting
 * "[API Error: …]"; when that text lost the HTTP status (429/503 retried, a 404) the status the
 * CLI printed on stderr is used. Non-terminal `error` records (loop detected, blocked) are logs.
 */
import { randomUUID } from "node:crypto";
import { AGENT_CATALOG, type AgentEvent } from "@nightshift/protocol";
import {
  type AgentAdapter,
  type AgentLaunch,
  promptTooLongForArgv,
  type TurnParser,
  type TurnVerdict,
} from "./adapter";
import {
  apiFailureOf,
  ErrorLine,
  Line,
  MessageLine,
  ResultLine,
  stderrStatusOf,
  type Tokens,
  ToolResultLine,
  ToolUseLine,
} from "./gemini-records";
import { geminiConversationFiles, hasSavedSession } from "./gemini-sessions";
import { systemSettingsIn, writeGeminiSettings } from "./gemini-settings";
import { describeModelApiError } from "./model-api-errors";
import { boundedId, ErrorLatch, OpenTools, parseJsonLine, stdoutLog, toolStartEvent } from "./parser-kit";
import { MESSAGE_MAX_CHARS, SUMMARY_MAX_CHARS, TOOL_OUTPUT_MAX_CHARS, truncateText } from "./text-limits";
import { listPriceCost, usageEvent } from "./usage-cost";

const SOURCE = "gemini";
const MAX_TURNS_TEXT = "Reached max session turns";
/** A line of a Node stack trace ("    at fn (file:///…/chunk.js:1:2)"). */
const STACK_FRAME = /^\s+at \S/;

/** One invocation's tokens as the usage event counts them: thinking tokens are billed as output. */
function turnTokens(stats: Tokens) {
  const input = stats.input || Math.max(0, stats.input_tokens - stats.cached);
  return {
    inputTokens: input,
    outputTokens: Math.max(stats.output_tokens, stats.total_tokens - stats.input_tokens),
    cacheReadTokens: stats.cached,
    cacheWriteTokens: 0,
  };
}

class GeminiParser implements TurnParser {
  private sessionId: string | undefined;
  private model: string | undefined;
  private finished = false;
  private readonly errors = new ErrorLatch();
  private lastText: string | undefined;
  /** Assistant text streamed since the last tool record: one message. */
  private pending: { id: string; text: string } | undefined;
  private messageCount = 0;
  private readonly toolNames = new Map<string, string>();
  private readonly openTools = new OpenTools();
  /** The last non-terminal error record: the only words a failed result may have. */
  private lastErrorRecord: string | undefined;
  /** The HTTP status of a failed model call, as the CLI printed it on stderr. */
  private stderrStatus: number | undefined;

  constructor(
    sessionId: string | undefined,
    model: string | undefined,
    private readonly promptId: string,
    private readonly maxTurns: number,
  ) {
    this.sessionId = sessionId;
    this.model = model;
  }

  parseLine(line: string): AgentEvent[] {
    if (line.trim() === "") return [];
    const json = parseJsonLine(line);
    const base = Line.safeParse(json);
    if (!base.success) {
      return [stdoutLog(SOURCE, line)];
    }
    if (base.data.session_id) this.sessionId = base.data.session_id;
    switch (base.data.type) {
      case "init": {
        const model = (json as { model?: unknown }).model;
        if (typeof model === "string" && model) this.model = model;
        return [];
      }
      case "message":
        return this.onMessage(json);
      case "tool_use":
        return [...this.flush(), ...this.onToolUse(json)];
      case "tool_result":
        return [...this.flush(), ...this.onToolResult(json)];
      case "error":
        return this.onErrorRecord(json);
      case "result":
        return [...this.flush(), ...this.onResult(json)];
      default:
        return [];
    }
  }

  noteStderrLine(line: string): boolean {
    const status = stderrStatusOf(line);
    if (status !== undefined) this.stderrStatus = status;
    // The CLI prints its own stack with every failed model call: kept out of the logs.
    return !STACK_FRAME.test(line);
  }

  finish(): TurnVerdict {
    // Text streamed by a CLI that died before its next record was still said.
    const text = this.pending?.text.trim() ? this.pending.text : undefined;
    return {
      finished: this.finished,
      failed: this.errors.failed,
      sessionId: this.sessionId,
      summary: text ? truncateText(text, SUMMARY_MAX_CHARS) : this.lastText,
      unfinishedTools: this.openTools.unfinished(),
    };
  }

  private onMessage(json: unknown): AgentEvent[] {
    const line = MessageLine.safeParse(json);
    if (!line.success || line.data.role !== "assistant" || line.data.content === "") return [];
    if (line.data.delta !== true) {
      // A whole message (older CLIs): it stands alone.
      return [...this.flush(), ...this.messageEvent(this.nextMessageId(), line.data.content)];
    }
    this.pending ??= { id: this.nextMessageId(), text: "" };
    this.pending.text += line.data.content;
    return [{ type: "message.delta", messageId: this.pending.id, text: line.data.content }];
  }

  private onToolUse(json: unknown): AgentEvent[] {
    const line = ToolUseLine.safeParse(json);
    if (!line.success) return [];
    const toolId = boundedId(line.data.tool_id);
    const name = boundedId(line.data.tool_name);
    this.toolNames.set(toolId, name);
    this.openTools.start(toolId, name);
    return [toolStartEvent(toolId, name, line.data.parameters ?? {})];
  }

  private onToolResult(json: unknown): AgentEvent[] {
    const line = ToolResultLine.safeParse(json);
    if (!line.success) return [];
    const toolId = boundedId(line.data.tool_id);
    this.openTools.end(toolId);
    const isError = line.data.status !== "success";
    // write_file and others print no output on success; a failure's words are in `error`.
    const output = line.data.output ?? (isError ? (line.data.error?.message ?? "") : "");
    return [
      {
        type: "tool.end",
        toolId,
        name: this.toolNames.get(toolId),
        output: truncateText(output, TOOL_OUTPUT_MAX_CHARS),
        isError,
      },
    ];
  }

  private onErrorRecord(json: unknown): AgentEvent[] {
    const line = ErrorLine.safeParse(json);
    if (!line.success) return [];
    if (line.data.severity === "error") this.lastErrorRecord = line.data.message;
    const text = `${line.data.severity ?? "error"}: ${line.data.message}`;
    return [stdoutLog(SOURCE, text)];
  }

  private onResult(json: unknown): AgentEvent[] {
    this.finished = true;
    const line = ResultLine.safeParse(json);
    if (!line.success) return [];
    const usage = this.usageOf(line.data);
    const events: AgentEvent[] = usage ? [usage] : [];
    if (line.data.status === "success") return events;
    return [...events, ...this.errors.fail(this.describeFailure(line.data))];
  }

  private describeFailure(result: ResultLine): { code: string; message: string } {
    const message = result.error?.message ?? this.lastErrorRecord ?? "";
    const type = result.error?.type ?? undefined;
    if (type === "FatalTurnLimitedError" || message.includes(MAX_TURNS_TEXT)) {
      return {
        code: "max_turns",
        message: `Gemini CLI stopped after ${this.maxTurns} model turns (model.maxSessionTurns) before finishing; raise NIGHTSHIFT_MAX_TURNS or split the task into smaller prompts.`,
      };
    }
    const api = apiFailureOf(message);
    if (api) {
      return describeModelApiError({
        provider: "gemini",
        status: api.status ?? this.stderrStatus,
        text: api.text,
      });
    }
    return {
      code: "agent_failed",
      message: `Gemini CLI failed: ${message.trim() || type || "no reason given"}`,
    };
  }

  private usageOf(result: ResultLine): AgentEvent | undefined {
    const stats = result.stats;
    if (!stats) return undefined;
    const perModel = Object.entries(stats.models);
    if (perModel.length <= 1) {
      const model = perModel[0]?.[0] ?? this.model;
      return usageEvent(turnTokens(stats), { provider: "gemini", ...(model ? { model } : {}) }) ?? undefined;
    }
    // Several models in one turn (the CLI's routing): each at its own price, or unknown if one has none.
    const costs = perModel.map(([model, tokens]) => listPriceCost(turnTokens(tokens), model, "gemini"));
    const known = costs.every((cost) => cost !== undefined);
    const main = perModel.sort(([, a], [, b]) => b.total_tokens - a.total_tokens)[0]![0];
    const cost = known ? costs.reduce((sum: number, c) => sum + (c ?? 0), 0) : undefined;
    return (
      usageEvent(turnTokens(stats), {
        provider: "gemini",
        ...(known ? { model: main, reportedCostUsd: cost } : {}),
      }) ?? undefined
    );
  }

  private nextMessageId(): string {
    this.messageCount += 1;
    return `gemini-${this.promptId.slice(0, 180)}-m${this.messageCount}`;
  }

  /** The text streamed since the last record, as one whole message. */
  private flush(): AgentEvent[] {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending || pending.text.trim() === "") return [];
    return this.messageEvent(pending.id, pending.text);
  }

  private messageEvent(messageId: string, text: string): AgentEvent[] {
    this.lastText = truncateText(text, SUMMARY_MAX_CHARS);
    return [{ type: "message", messageId, role: "assistant", text: truncateText(text, MESSAGE_MAX_CHARS) }];
  }
}

export const gemini: AgentAdapter = {
  agent: "gemini",
  displayName: "Gemini CLI",
  binary: {
    name: "gemini",
    npmPackage: "@google/gemini-cli",
    install:
      "run `pnpm install` in the Nightshift checkout (packages/sandbox-runtime depends on @google/gemini-cli), or `npm install -g @google/gemini-cli@0.61.0`",
  },

  async prepare(request) {
    await writeGeminiSettings(request);
  },

  launch(request): AgentLaunch {
    // A session with nothing to resume (its first turn failed before any answer) cannot be resumed
    // nor started again under its id: the follow-up starts a new one.
    const resume =
      request.resumeSessionId !== undefined && hasSavedSession(request.home, request.resumeSessionId);
    const sessionId = resume && request.resumeSessionId ? request.resumeSessionId : randomUUID();
    const model = request.model ?? AGENT_CATALOG.gemini.defaultModel;
    const onStdin = promptTooLongForArgv(request.text);
    const args = [
      "--output-format",
      "stream-json",
      "--skip-trust",
      "--yolo",
      `--model=${model}`,
      ...(resume ? ["--resume", sessionId] : ["--session-id", sessionId]),
      // One element with the flag: the CLI's option parser refuses a separate value that starts
      // with "-" (and ignores a prompt after "--"); after "=" it takes the rest verbatim. A prompt
      // too long for argv goes on stdin, which the CLI puts before an empty --prompt, unchanged.
      `--prompt=${onStdin ? "" : request.text}`,
    ];
    const systemSettings = systemSettingsIn(request.home);
    const env = {
      // One process: no self-relaunch for a bigger heap (a parent that ignores SIGTERM, and a
      // second Node start per turn).
      GEMINI_CLI_NO_RELAUNCH: "true",
      ...(systemSettings ? { GEMINI_CLI_SYSTEM_SETTINGS_PATH: systemSettings } : {}),
      // Over any settings file, a repository's own included.
      GEMINI_TELEMETRY_ENABLED: "false",
      GEMINI_SANDBOX: "false",
    };
    return { args, env, sessionId, ...(onStdin ? { stdin: request.text } : {}) };
  },

  createParser(request, launch) {
    const model = request.model ?? AGENT_CATALOG.gemini.defaultModel;
    return new GeminiParser(launch.sessionId, model, request.promptId, request.maxTurns);
  },

  conversationFiles: geminiConversationFiles,
};
