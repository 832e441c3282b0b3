/**
 * Reads one Pi run's `--mode json` stdout (records: pi-records.ts; recorded output from 0.73.1 in
 * fixtures/pi-*.jsonl).
 *
 * Mapping: `session` → the session id; `message_update` text deltas → `message.delta` (Pi's
 * assistant messages have no id while streaming, so the id is `<promptId>:m<n>`, the n-th
 * assistant message of the turn); assistant `message_end` text → `message`;
 * `tool_execution_start`/`_end` → `tool.start`/`tool.end` paired by `toolCallId`. Usage is the sum
 * of the assistant messages' usage in this run (Pi reports it per model call, so a resumed
 * session's history is never counted again), with Pi's own cost when the model has a list price
 * (the cost models.json gave Pi) and no cost otherwise (shown as unknown, never $0).
 *
 * The run ends at `agent_end` — or at a `turn_end` that stops without tool calls, in case the
 * `agent_end` line (it repeats every message of the run) was too long to be read (the runner
 * drops such a line; one cut short, as when Pi dies mid-write, still means an unfinished run). Pi exits 0 when
 * the model call failed: the failure is only in `stopReason: "error"` + `errorMessage`, which
 * becomes one `error` event. A run aborted after more model turns than the cap (the Nightshift
 * extension aborts it, see pi-home.ts) fails with `max_turns`; any other abort is a stop from
 * outside (the runner decides: cancelled, or crashed).
 */
import { type AgentEvent, listedPriceOf } from "@nightshift/protocol";
import type { TurnParser, TurnVerdict } from "./adapter";
import type { TurnRequest } from "./contract";
import { describeModelApiError } from "./model-api-errors";
import { boundedId, ErrorLatch, OpenTools, parseJsonLine, stdoutLog, toolStartEvent } from "./parser-kit";
import { type PiModel, piModelOf } from "./pi-home";
import {
  AssistantMessage,
  CompactionEndLine,
  Line,
  MessageLine,
  MessageUpdateLine,
  modelCallFailure,
  RetryStartLine,
  SessionLine,
  TextContent,
  ToolEndLine,
  ToolStartLine,
  TurnEndLine,
  toolResultText,
} from "./pi-records";
import { MESSAGE_MAX_CHARS, SUMMARY_MAX_CHARS, TOOL_OUTPUT_MAX_CHARS, truncateText } from "./text-limits";
import { usageEvent } from "./usage-cost";

const SOURCE = "pi";

/**
 * Progress records the parser has no use for, recognised without parsing them: each repeats the
 * whole message or tool output so far, so a file written in a thousand streamed chunks would
 * otherwise be parsed a thousand times over. Pi prints `type` first, then the event's own `type`.
 */
function unreadUpdate(line: string): boolean {
  if (line.startsWith('{"type":"tool_execution_update"')) return true;
  return (
    line.startsWith('{"type":"message_update","assistantMessageEvent":{"type":"') &&
    !line.startsWith('{"type":"message_update","assistantMessageEvent":{"type":"text_delta"')
  );
}

interface Totals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
}

const noTotals = (): Totals => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 });

export class PiParser implements TurnParser {
  private sessionId: string | undefined;
  private readonly model: PiModel;
  private readonly maxTurns: number;
  private readonly messagePrefix: string;
  private assistantMessages = 0;
  private messageId: string | undefined;
  private modelTurns = 0;
  private totals = noTotals();
  private usedModel: string | undefined;
  private lastText: string | undefined;
  private summary: string | undefined;
  private failure: string | undefined;
  private aborted = false;
  /** The run's end was read (usage and verdict given); a retry record reopens it. */
  private runEnded = false;
  private finished = false;
  private agentEnded = false;
  private readonly errors = new ErrorLatch();
  private readonly openTools = new OpenTools();

  constructor(request: TurnRequest, sessionId: string | undefined) {
    this.sessionId = sessionId;
    this.model = piModelOf(request);
    this.maxTurns = request.maxTurns;
    this.messagePrefix = request.promptId.slice(0, 180);
  }

  parseLine(line: string): AgentEvent[] {
    if (line.trim() === "" || unreadUpdate(line)) return [];
    const json = parseJsonLine(line);
    const base = Line.safeParse(json);
    if (!base.success) {
      // A broken line after the last turn ended is its agent_end cut short: the run did not end.
      if (this.runEnded && !this.agentEnded) this.finished = false;
      return [this.log(line)];
    }
    switch (base.data.type) {
      case "session": {
        const session = SessionLine.safeParse(json);
        if (session.success) this.sessionId = boundedId(session.data.id);
        return [];
      }
      case "turn_start":
        this.modelTurns += 1;
        return [];
      case "message_start":
        return this.onMessageStart(json);
      case "message_update":
        return this.onMessageUpdate(json);
      case "message_end":
        return this.onMessageEnd(json);
      case "tool_execution_start":
        return this.onToolStart(json);
      case "tool_execution_end":
        return this.onToolEnd(json);
      case "turn_end":
        return this.onTurnEnd(json);
      case "agent_end":
        this.agentEnded = true;
        return this.onRunEnd();
      case "auto_retry_start":
        return this.onRetry(json);
      case "compaction_start":
        return [this.log("Pi is compacting the conversation to fit the model's context window")];
      case "compaction_end": {
        const end = CompactionEndLine.safeParse(json);
        const why = end.success ? end.data.errorMessage : undefined;
        return why ? [this.log(`Pi could not compact the conversation: ${why}`)] : [];
      }
      default:
        return [];
    }
  }

  finish(): TurnVerdict {
    return {
      finished: this.finished,
      failed: this.errors.failed,
      sessionId: this.sessionId,
      summary: this.summary,
      unfinishedTools: this.openTools.unfinished(),
    };
  }

  private onMessageStart(json: unknown): AgentEvent[] {
    const line = MessageLine.safeParse(json);
    if (!line.success || line.data.message.role !== "assistant") return [];
    this.assistantMessages += 1;
    this.messageId = `${this.messagePrefix}:m${this.assistantMessages}`;
    return [];
  }

  private onMessageUpdate(json: unknown): AgentEvent[] {
    const line = MessageUpdateLine.safeParse(json);
    if (!line.success || !this.messageId) return [];
    const { type, delta } = line.data.assistantMessageEvent;
    if (type !== "text_delta" || !delta) return [];
    return [{ type: "message.delta", messageId: this.messageId, text: delta }];
  }

  private onMessageEnd(json: unknown): AgentEvent[] {
    const line = MessageLine.safeParse(json);
    if (!line.success || line.data.message.role !== "assistant") return [];
    const message = AssistantMessage.safeParse(line.data.message);
    if (!message.success) return [];
    const { usage, stopReason, errorMessage, content, model } = message.data;
    if (usage) {
      this.totals.input += usage.input;
      this.totals.output += usage.output;
      this.totals.cacheRead += usage.cacheRead;
      this.totals.cacheWrite += usage.cacheWrite;
      this.totals.cost += usage.cost?.total ?? 0;
    }
    if (model) this.usedModel = model;
    if (stopReason === "error") {
      this.failure = errorMessage?.trim() || "the model call failed";
      return [];
    }
    if (stopReason === "aborted") {
      this.aborted = true;
      return [];
    }
    const text = content
      .map((block) => TextContent.safeParse(block).data?.text ?? "")
      .filter((part) => part.trim() !== "")
      .join("\n\n");
    if (!text) return [];
    this.lastText = text;
    const messageId = this.messageId ?? `${this.messagePrefix}:m${this.assistantMessages + 1}`;
    return [{ type: "message", messageId, role: "assistant", text: truncateText(text, MESSAGE_MAX_CHARS) }];
  }

  private onToolStart(json: unknown): AgentEvent[] {
    const line = ToolStartLine.safeParse(json);
    if (!line.success) return [];
    const toolId = boundedId(line.data.toolCallId);
    const name = boundedId(line.data.toolName);
    this.openTools.start(toolId, name);
    return [toolStartEvent(toolId, name, line.data.args ?? {})];
  }

  private onToolEnd(json: unknown): AgentEvent[] {
    const line = ToolEndLine.safeParse(json);
    if (!line.success) return [];
    const toolId = boundedId(line.data.toolCallId);
    const name =
      this.openTools.nameOf(toolId) ?? (line.data.toolName ? boundedId(line.data.toolName) : undefined);
    this.openTools.end(toolId);
    return [
      {
        type: "tool.end",
        toolId,
        ...(name ? { name } : {}),
        output: truncateText(toolResultText(line.data.result).trimEnd(), TOOL_OUTPUT_MAX_CHARS),
        isError: line.data.isError === true,
      },
    ];
  }

  private onTurnEnd(json: unknown): AgentEvent[] {
    const line = TurnEndLine.safeParse(json);
    const message = line.success ? AssistantMessage.safeParse(line.data.message) : undefined;
    // A turn that stops without calling a tool is the run's last (Pi prints agent_end next).
    if (!message?.success || message.data.stopReason === "toolUse") return [];
    return this.onRunEnd();
  }

  /** The end of the run: this run's usage, then the verdict (one error event when it failed). */
  private onRunEnd(): AgentEvent[] {
    if (this.runEnded) return [];
    this.runEnded = true;
    this.finished = true;
    const events: AgentEvent[] = [];
    const usage = this.usage();
    if (usage) events.push(usage);
    if (this.failure !== undefined) {
      const failure = this.failure;
      return [
        ...events,
        ...this.errors.fail(
          describeModelApiError({ ...modelCallFailure(failure), provider: this.model.provider }),
        ),
      ];
    }
    if (this.aborted) {
      if (this.modelTurns > this.maxTurns) {
        return [
          ...events,
          ...this.errors.fail({
            code: "max_turns",
            message: `Pi stopped after ${this.maxTurns} model turns (the turn cap) before finishing; raise NIGHTSHIFT_MAX_TURNS or split the task into smaller prompts.`,
          }),
        ];
      }
      // Stopped from outside (a signal): not a finished run; the runner says why.
      this.finished = false;
      return events;
    }
    if (this.lastText) this.summary = truncateText(this.lastText, SUMMARY_MAX_CHARS);
    return events;
  }

  /** Pi's own retry (off in the settings Nightshift writes, but a repository's .pi/settings.json can turn it on). */
  private onRetry(json: unknown): AgentEvent[] {
    const line = RetryStartLine.safeParse(json);
    const retry = line.success ? line.data : {};
    // The failed attempt is not the run's end: the retried call decides.
    this.runEnded = false;
    this.agentEnded = false;
    this.finished = false;
    this.errors.clearFailure();
    this.failure = undefined;
    this.aborted = false;
    const delay = retry.delayMs === undefined ? "" : ` in ${(retry.delayMs / 1000).toFixed(1)} s`;
    const why = retry.errorMessage ? ` (${retry.errorMessage})` : "";
    return [
      this.log(`model call failed${why}; retry ${retry.attempt ?? "?"}/${retry.maxAttempts ?? "?"}${delay}`),
    ];
  }

  /** This run's usage since the last usage event (a retried run reports only what came after). */
  private usage(): AgentEvent | undefined {
    const totals = this.totals;
    this.totals = noTotals();
    const model = this.usedModel ?? this.model.id;
    // Pi's cost comes from the price models.json gave it, which exists only for listed models.
    const priced = listedPriceOf(this.model.provider, model) !== null;
    const event = usageEvent(
      {
        inputTokens: totals.input,
        outputTokens: totals.output,
        cacheReadTokens: totals.cacheRead,
        cacheWriteTokens: totals.cacheWrite,
      },
      { model, provider: this.model.provider, ...(priced ? { reportedCostUsd: totals.cost } : {}) },
    );
    return event ?? undefined;
  }

  private log(text: string): AgentEvent {
    return stdoutLog(SOURCE, text);
  }
}
