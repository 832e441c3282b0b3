/**
 * Reads one `codex exec --json` run (records: codex-records.ts; recorded output in
 * fixtures/codex-*.jsonl) into normalized events.
 *
 * Mapping: `thread.started` → the session id; `agent_message` items → whole `message`s (Codex
 * prints no token deltas); command, file change, MCP and web search items → `tool.start` /
 * `tool.end` paired by item id; warning items and "Reconnecting..." errors → `log`; `turn.failed`
 * → one `error` (classified from its message, or the `error` record before it); `turn.completed`
 * → `usage` for this turn only (Codex's figure is the thread's running total: the total recorded
 * in the session file before the turn is subtracted, see codex-sessions.ts), at list price (Codex
 * reports no cost).
 */
import type { AgentEvent } from "@nightshift/protocol";
import type { TurnParser, TurnVerdict } from "./adapter";
import {
  AgentMessageItem,
  CommandItem,
  ErrorItem,
  ErrorLine,
  FileChangeItem,
  ItemLine,
  isConnectionFailure,
  isRetryNotice,
  Line,
  McpToolCallItem,
  statusInMessage,
  ThreadStarted,
  type TokenUsage,
  TurnCompleted,
  TurnFailed,
  WebSearchItem,
} from "./codex-records";
import { usageSince } from "./codex-sessions";
import { type DescribedError, describeModelApiError } from "./model-api-errors";
import { boundedId, ErrorLatch, OpenTools, parseJsonLine, stdoutLog, toolStartEvent } from "./parser-kit";
import { MESSAGE_MAX_CHARS, SUMMARY_MAX_CHARS, TOOL_OUTPUT_MAX_CHARS, truncateText } from "./text-limits";
import { usageEvent } from "./usage-cost";

const SOURCE = "codex";

export interface CodexParserOptions {
  threadId: string | undefined;
  /** Item ids restart at item_0 in every run: this keeps a session's ids unique. */
  idPrefix: string;
  model: string;
  /** The thread's token total before this turn (a resumed thread). */
  usageBefore: TokenUsage | undefined;
  baseUrlMissing: boolean;
}

export class CodexParser implements TurnParser {
  private threadId: string | undefined;
  private finished = false;
  private readonly errors = new ErrorLatch();
  private lastText: string | undefined;
  /** The last error record since the turn began; turn.failed normally repeats it. */
  private pendingError: string | undefined;
  private readonly openTools = new OpenTools();
  private readonly options: CodexParserOptions;

  constructor(options: CodexParserOptions) {
    this.options = options;
    this.threadId = options.threadId;
  }

  parseLine(line: string): AgentEvent[] {
    if (line.trim() === "") return [];
    const json = parseJsonLine(line);
    const base = Line.safeParse(json);
    if (!base.success) return [this.log(line)];
    switch (base.data.type) {
      case "thread.started": {
        const started = ThreadStarted.safeParse(json);
        if (started.success) this.threadId = started.data.thread_id;
        return [];
      }
      case "item.started":
        return this.onItem(json, false);
      case "item.completed":
        return this.onItem(json, true);
      case "turn.completed":
        return this.onTurnCompleted(json);
      case "turn.failed": {
        this.finished = true;
        const message = TurnFailed.safeParse(json).data?.error?.message || this.pendingError || "";
        return this.errors.fail(this.describe(message));
      }
      case "error": {
        const message = ErrorLine.safeParse(json).data?.message ?? "";
        // Retries in progress are news, not failures; only turn.failed ends the turn (it repeats
        // the error that caused it, which is kept in case it does not).
        if (isRetryNotice(message)) return [this.log(`model call failed; ${message}`)];
        this.pendingError = message;
        return [];
      }
      default:
        return [];
    }
  }

  finish(): TurnVerdict {
    return {
      finished: this.finished,
      failed: this.errors.failed,
      sessionId: this.threadId,
      summary: this.lastText ? truncateText(this.lastText, SUMMARY_MAX_CHARS) : undefined,
      unfinishedTools: this.openTools.unfinished(),
    };
  }

  private log(text: string): AgentEvent {
    return stdoutLog(SOURCE, text);
  }

  private onItem(json: unknown, completed: boolean): AgentEvent[] {
    const line = ItemLine.safeParse(json);
    if (!line.success) return [];
    const { item } = line.data;
    const id = boundedId(`${this.options.idPrefix}:${item.id}`);
    switch (item.type) {
      case "agent_message": {
        const message = AgentMessageItem.safeParse(item);
        if (!completed || !message.success || message.data.text.trim() === "") return [];
        this.lastText = message.data.text;
        const text = truncateText(message.data.text, MESSAGE_MAX_CHARS);
        return [{ type: "message", messageId: id, role: "assistant", text }];
      }
      case "command_execution": {
        const command = CommandItem.safeParse(item).data;
        const input = { command: command?.command ?? "" };
        if (!completed) return this.startTool(id, "shell", input);
        const isError =
          (command?.exit_code !== undefined && command?.exit_code !== null && command.exit_code !== 0) ||
          isFailedStatus(command?.status);
        return this.endTool(id, "shell", input, command?.aggregated_output ?? "", isError);
      }
      case "file_change": {
        const change = FileChangeItem.safeParse(item).data;
        const changes = (change?.changes ?? []).map((c) => ({ path: c.path, kind: c.kind ?? "update" }));
        if (!completed) return this.startTool(id, "apply_patch", { changes });
        const output = changes.map((c) => `${c.kind} ${c.path}`).join("\n");
        return this.endTool(id, "apply_patch", { changes }, output, isFailedStatus(change?.status));
      }
      case "mcp_tool_call": {
        const call = McpToolCallItem.safeParse(item).data;
        const name = `${call?.server ?? "mcp"}.${call?.tool ?? "tool"}`;
        const input = { arguments: call?.arguments ?? null };
        if (!completed) return this.startTool(id, name, input);
        const failure = call?.error?.message;
        const output = failure ?? outputText(call?.result);
        return this.endTool(id, name, input, output, Boolean(failure) || isFailedStatus(call?.status));
      }
      case "web_search": {
        const input = { query: WebSearchItem.safeParse(item).data?.query ?? "" };
        if (!completed) return this.startTool(id, "web_search", input);
        return this.endTool(id, "web_search", input, "", false);
      }
      case "error": {
        // A warning the CLI carries on (e.g. "Model metadata for `x` not found").
        const message = ErrorItem.safeParse(item).data?.message;
        return completed && message ? [this.log(message)] : [];
      }
      default:
        return []; // reasoning, todo_list: the agent's notes to itself, not events
    }
  }

  private startTool(toolId: string, name: string, input: unknown): AgentEvent[] {
    if (this.openTools.has(toolId)) return [];
    this.openTools.start(toolId, name);
    return [toolStartEvent(toolId, name, input)];
  }

  /** A completed item; its start is emitted first when the CLI printed none (web searches). */
  private endTool(
    toolId: string,
    name: string,
    input: unknown,
    output: string,
    isError: boolean,
  ): AgentEvent[] {
    const start = this.openTools.has(toolId) ? [] : this.startTool(toolId, name, input);
    this.openTools.end(toolId);
    return [
      ...start,
      { type: "tool.end", toolId, name, output: truncateText(output, TOOL_OUTPUT_MAX_CHARS), isError },
    ];
  }

  private onTurnCompleted(json: unknown): AgentEvent[] {
    this.finished = true;
    const carriedOn = this.pendingError
      ? [this.log(`Codex reported an error and carried on: ${this.pendingError}`)]
      : [];
    this.pendingError = undefined;
    const total = TurnCompleted.safeParse(json).data?.usage;
    if (!total) return carriedOn;
    const turn = usageSince(total, this.options.usageBefore);
    // OpenAI counts cached input inside input_tokens; the price table charges it apart.
    const cached = Math.min(turn.cached_input_tokens, turn.input_tokens);
    const usage = usageEvent(
      {
        inputTokens: turn.input_tokens - cached,
        outputTokens: turn.output_tokens,
        cacheReadTokens: cached,
        cacheWriteTokens: turn.cache_write_input_tokens,
      },
      { provider: "openai", model: this.options.model },
    );
    return usage ? [...carriedOn, usage] : carriedOn;
  }

  private describe(message: string): DescribedError {
    const text = message.trim();
    if (this.options.baseUrlMissing && isConnectionFailure(text)) {
      return {
        code: "model_unreachable",
        message:
          "OPENAI_BASE_URL is not set to an http(s) URL, so Codex has no model API to call; the runtime's model relay sets it (set it yourself when running the agent layer directly).",
      };
    }
    const status = statusInMessage(text);
    if (status !== undefined || isConnectionFailure(text)) {
      return describeModelApiError({ provider: "openai", status, text });
    }
    return { code: "agent_failed", message: `Codex failed: ${text || "no reason given"}` };
  }
}

function isFailedStatus(status: string | null | undefined): boolean {
  return status === "failed" || status === "declined";
}

function outputText(result: unknown): string {
  if (result === undefined || result === null) return "";
  return typeof result === "string" ? result : JSON.stringify(result);
}
