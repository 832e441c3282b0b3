/**
 * The Claude Code adapter: launches `claude -p --output-format stream-json --verbose
 * --include-partial-messages` and reads its JSON lines (the CLI's behaviour it relies on:
 * docs/agent-clis.md; recorded output from 2.1.330 in fixtures/).
 *
 * Mapping: `stream_event` text deltas → `message.delta` (messageId = the API message id);
 * `assistant` text → `message`, tool_use → `tool.start`; `user` tool_result → `tool.end` paired
 * by id; `result` → `usage` for this invocation only (`result.usage` + the costs of
 * `model_usage_since_last_result`: `total_cost_usd` is cumulative over a resumed session) and,
 * when it failed, one `error` event. An API failure arrives first as a synthetic assistant
 * message (`model: "<synthetic>"`, `api_error_status`): it becomes the `error`, not a `message`.
 * Sub-agent (Task) chatter — lines with a `parent_tool_use_id` — yields its tool calls only.
 * `system` lines (init, status, hooks) are not events; retries become a `log` line.
 */
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import type { z } from "zod";
import {
  type AgentAdapter,
  type AgentLaunch,
  promptTooLongForArgv,
  type TurnParser,
  type TurnVerdict,
} from "./adapter";
import {
  AssistantLine,
  Line,
  ResultLine,
  StreamEventLine,
  SystemLine,
  TextBlock,
  ToolResultBlock,
  ToolUseBlock,
  toolOutputText,
  UserLine,
  withoutReminders,
} from "./claude-code-records";
import { describeModelApiError } from "./model-api-errors";
import { boundedId, ErrorLatch, OpenTools, parseJsonLine, stdoutLog, toolStartEvent } from "./parser-kit";
import { MESSAGE_MAX_CHARS, SUMMARY_MAX_CHARS, TOOL_OUTPUT_MAX_CHARS, truncateText } from "./text-limits";
import { usageEvent } from "./usage-cost";

const SOURCE = "claude-code";
/** Retries of a failed model call inside one turn; a request's env may lower it (tests use 0). */
const DEFAULT_MAX_RETRIES = "2";

class ClaudeCodeParser implements TurnParser {
  private sessionId: string | undefined;
  private finished = false;
  private readonly errors = new ErrorLatch();
  private summary: string | undefined;
  private lastText: string | undefined;
  private streamingMessageId: string | undefined;
  private readonly toolNames = new Map<string, string>();
  private readonly openTools = new OpenTools();
  private readonly maxTurns: number;

  constructor(sessionId: string | undefined, maxTurns: number) {
    this.sessionId = sessionId;
    this.maxTurns = maxTurns;
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
      case "system":
        return this.onSystem(json);
      case "stream_event":
        return this.onStreamEvent(json);
      case "assistant":
        return this.onAssistant(json);
      case "user":
        return this.onUser(json);
      case "result":
        return this.onResult(json);
      default:
        return [];
    }
  }

  finish(): TurnVerdict {
    return {
      finished: this.finished,
      failed: this.errors.failed,
      sessionId: this.sessionId,
      summary: this.summary ?? this.lastText,
      unfinishedTools: this.openTools.unfinished(),
    };
  }

  private onSystem(json: unknown): AgentEvent[] {
    const line = SystemLine.safeParse(json);
    if (!line.success || line.data.subtype !== "api_retry") return [];
    const { attempt, max_retries, retry_delay_ms, error_status, error } = line.data;
    const why = [error_status, error].filter((part) => part !== undefined && part !== null).join(" ");
    const delay = retry_delay_ms === undefined ? "" : ` in ${(retry_delay_ms / 1000).toFixed(1)} s`;
    const text = `model call failed${why ? ` (${why})` : ""}; retry ${attempt ?? "?"}/${max_retries ?? "?"}${delay}`;
    return [{ type: "log", source: SOURCE, stream: "stdout", text }];
  }

  private onStreamEvent(json: unknown): AgentEvent[] {
    const line = StreamEventLine.safeParse(json);
    if (!line.success || line.data.parent_tool_use_id) return [];
    const { event } = line.data;
    if (event.type === "message_start" && event.message) this.streamingMessageId = event.message.id;
    if (event.type !== "content_block_delta" || event.delta?.type !== "text_delta" || !event.delta.text)
      return [];
    const messageId = line.data.api_message_id ?? this.streamingMessageId;
    if (!messageId) return [];
    return [{ type: "message.delta", messageId: boundedId(messageId), text: event.delta.text }];
  }

  private onAssistant(json: unknown): AgentEvent[] {
    const line = AssistantLine.safeParse(json);
    if (!line.success) return [];
    const { message } = line.data;
    const topLevel = !line.data.parent_tool_use_id;
    // Synthetic messages also carry harmless notices; only those marked as API errors are failures.
    const apiError =
      line.data.is_api_error_message === true ||
      Boolean(line.data.api_error_status) ||
      (message.model === "<synthetic>" && Boolean(line.data.error));
    if (apiError && topLevel) {
      const text = message.content.map((block) => TextBlock.safeParse(block).data?.text ?? "").join(" ");
      return this.errors.fail(
        describeModelApiError({
          status: line.data.api_error_status ?? undefined,
          kind: line.data.error ?? undefined,
          text,
        }),
      );
    }
    const events: AgentEvent[] = [];
    for (const block of message.content) {
      const text = TextBlock.safeParse(block);
      if (text.success && topLevel && text.data.text.trim() !== "") {
        this.lastText = text.data.text;
        events.push({
          type: "message",
          messageId: boundedId(message.id),
          role: "assistant",
          text: truncateText(text.data.text, MESSAGE_MAX_CHARS),
        });
      }
      const tool = ToolUseBlock.safeParse(block);
      if (tool.success) {
        const toolId = boundedId(tool.data.id);
        const name = boundedId(tool.data.name);
        this.toolNames.set(toolId, name);
        this.openTools.start(toolId, name);
        events.push(toolStartEvent(toolId, name, tool.data.input ?? {}));
      }
    }
    return events;
  }

  private onUser(json: unknown): AgentEvent[] {
    const line = UserLine.safeParse(json);
    if (!line.success || typeof line.data.message.content === "string") return [];
    const events: AgentEvent[] = [];
    for (const block of line.data.message.content) {
      const result = ToolResultBlock.safeParse(block);
      if (!result.success) continue;
      const toolId = boundedId(result.data.tool_use_id);
      this.openTools.end(toolId);
      const output = withoutReminders(toolOutputText(result.data.content));
      events.push({
        type: "tool.end",
        toolId,
        name: this.toolNames.get(toolId),
        output: truncateText(output, TOOL_OUTPUT_MAX_CHARS),
        isError: result.data.is_error === true,
      });
    }
    return events;
  }

  private onResult(json: unknown): AgentEvent[] {
    const line = ResultLine.safeParse(json);
    this.finished = true;
    if (!line.success) return [];
    const result = line.data;
    const events: AgentEvent[] = [];
    const usage = this.usageOf(result);
    if (usage) events.push(usage);
    const failed = result.is_error === true || result.subtype?.startsWith("error") === true;
    if (!failed) {
      if (result.result) this.summary = truncateText(result.result, SUMMARY_MAX_CHARS);
      return events;
    }
    if (this.errors.emitted) {
      this.errors.markFailed();
      return events;
    }
    if (result.subtype === "error_max_turns") {
      return [
        ...events,
        ...this.errors.fail({
          code: "max_turns",
          message: `Claude Code stopped after ${this.maxTurns} model turns (--max-turns) before finishing; raise NIGHTSHIFT_MAX_TURNS or split the task into smaller prompts.`,
        }),
      ];
    }
    const text = [result.result, ...(result.errors ?? [])].filter(Boolean).join("; ");
    if (result.api_error_status) {
      return [
        ...events,
        ...this.errors.fail(describeModelApiError({ status: result.api_error_status, text })),
      ];
    }
    return [
      ...events,
      ...this.errors.fail({
        code: "agent_failed",
        message: `Claude Code failed: ${text || result.subtype || "no reason given"}`,
      }),
    ];
  }

  private usageOf(result: z.infer<typeof ResultLine>): AgentEvent | undefined {
    if (!result.usage) return undefined;
    const perModel = Object.entries(result.model_usage_since_last_result ?? {});
    // Per-invocation cost; total_cost_usd only when the per-invocation figures are missing (older CLIs).
    const costUsd = result.model_usage_since_last_result
      ? perModel.reduce((sum, [, usage]) => sum + usage.costUSD, 0)
      : (result.total_cost_usd ?? 0);
    const model = perModel.sort(([, a], [, b]) => b.costUSD - a.costUSD)[0]?.[0];
    const { input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens } =
      result.usage;
    const tokens = {
      inputTokens: input_tokens,
      outputTokens: output_tokens,
      cacheReadTokens: cache_read_input_tokens,
      cacheWriteTokens: cache_creation_input_tokens,
    };
    return (
      usageEvent(tokens, { provider: "anthropic", reportedCostUsd: costUsd, ...(model ? { model } : {}) }) ??
      undefined
    );
  }
}

export const claudeCode: AgentAdapter = {
  agent: "claude-code",
  displayName: "Claude Code",
  binary: {
    name: "claude",
    npmPackage: "@anthropic-ai/claude-code",
    install:
      "run `pnpm install` in the Nightshift checkout (packages/sandbox-runtime depends on @anthropic-ai/claude-code), or `npm install -g @anthropic-ai/claude-code@2.1.330`",
  },

  async prepare(request) {
    await mkdir(join(request.home, ".claude"), { recursive: true });
  },

  launch(request): AgentLaunch {
    const sessionId = request.resumeSessionId ?? randomUUID();
    const args = [
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--include-partial-messages",
      "--dangerously-skip-permissions",
      "--max-turns",
      String(request.maxTurns),
      ...(request.model ? ["--model", request.model] : []),
      ...(request.resumeSessionId ? ["--resume", sessionId] : ["--session-id", sessionId]),
    ];
    // In print mode without a prompt argument the CLI reads the prompt from stdin.
    const onStdin = promptTooLongForArgv(request.text);
    if (!onStdin) args.push("--", request.text);
    const env = {
      // A sandbox may still run the CLI as root (docs/sandbox-isolation.md says when); as root it
      // refuses --dangerously-skip-permissions unless this is set.
      IS_SANDBOX: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_MAX_RETRIES: DEFAULT_MAX_RETRIES,
      CLAUDE_CONFIG_DIR: join(request.home, ".claude"),
    };
    return { args, env, sessionId, ...(onStdin ? { stdin: request.text } : {}) };
  },

  createParser(request, launch) {
    return new ClaudeCodeParser(launch.sessionId, request.maxTurns);
  },

  // Sessions live in $CLAUDE_CONFIG_DIR/projects/<cwd as a slug>/<session id>.jsonl (sub-agents'
  // transcripts beside it); `--resume` needs that file under the same cwd (docs/agent-clis.md).
  conversationFiles(home) {
    return {
      directory: join(home, ".claude", "projects"),
      holdsSession: (files, sessionId) => files.some((file) => basename(file) === `${sessionId}.jsonl`),
    };
  },
};
