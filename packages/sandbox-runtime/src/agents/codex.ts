/**
 * The Codex adapter: launches `codex exec --json` (@openai/codex 0.169.0) and reads its JSON lines
 * (records: codex-records.ts; recorded output in fixtures/codex-*.jsonl).
 *
 * Launch: a custom model provider pointed at `OPENAI_BASE_URL` (the built-in one ignores that
 * variable and tries api.openai.com over WebSockets first), keyed by `OPENAI_API_KEY`; no
 * approvals and no Codex sandbox (Nightshift's sandbox is the boundary; Codex's own landlock
 * sandbox is not wanted nested inside it); state in `$HOME/.codex`; every feature that would
 * call out (plugins, apps, analytics, update checks, model discovery) off, and the "wait for the
 * network forever" retry mode off, so an unreachable API fails the turn instead of hanging it.
 * Codex has no turn cap (no flag or setting limits model calls per run): `request.maxTurns` is
 * not enforced by the CLI; the turn's time limit bounds it.
 *
 * Mapping: `thread.started` → the session id; `agent_message` items → whole `message`s (Codex
 * prints no token deltas); command, file change, MCP and web search items → `tool.start` /
 * `tool.end` paired by item id; warning items and "Reconnecting..." errors → `log`; `turn.failed`
 * → one `error` (classified from its message, or the `error` record before it); `turn.completed` → `usage` for this turn only (Codex's
 * figure is the thread's running total: the total recorded in the session file before the turn
 * is subtracted, see codex-sessions.ts), at list price (Codex reports no cost).
 */
import { mkdir } from "node:fs/promises";
import { AGENT_CATALOG, type AgentEvent } from "@nightshift/protocol";
import type { AgentAdapter, AgentLaunch, TurnParser, TurnVerdict } from "./adapter";
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
import {
  codexHomeOf,
  findRollout,
  isRolloutOf,
  recordedTotalUsage,
  sessionsDirectoryOf,
  usageSince,
} from "./codex-sessions";
import type { TurnRequest } from "./contract";
import { type DescribedError, describeModelApiError } from "./model-api-errors";
import {
  ERROR_MAX_CHARS,
  LOG_LINE_MAX_CHARS,
  limitStrings,
  MESSAGE_MAX_CHARS,
  SUMMARY_MAX_CHARS,
  TOOL_INPUT_STRING_MAX_CHARS,
  TOOL_OUTPUT_MAX_CHARS,
  truncateText,
} from "./text-limits";
import { usageEvent } from "./usage-cost";

const SOURCE = "codex";
const PROVIDER_ID = "nightshift";
/**
 * Retries of a failed model call, both the HTTP-level ones (429, 5xx) and Codex's "Reconnecting"
 * turn-level ones (which also retry a 401). NIGHTSHIFT_CODEX_MAX_RETRIES in the request's env
 * overrides it (tests use 0).
 */
const DEFAULT_MAX_RETRIES = 2;
export const RETRIES_VARIABLE = "NIGHTSHIFT_CODEX_MAX_RETRIES";
/**
 * Features that reach services other than the model API (plugin and app catalogs on GitHub and
 * chatgpt.com, in-app updates, model discovery), and unbounded retries ("Reconnecting... waiting
 * for network" never gives up on an unreachable API).
 */
const DISABLED_FEATURES = [
  "unbounded_connection_retries",
  "plugins",
  "remote_plugin",
  "plugin_sharing",
  "apps",
  "in_app_updates",
  "api_key_model_discovery",
] as const;
/** Codex thread ids are UUIDs (v7); anything else is refused before it reaches the command line. */
const THREAD_ID = /^[0-9A-Za-z][0-9A-Za-z._-]{0,127}$/;
/** Where a missing or unusable OPENAI_BASE_URL points Codex: nothing listens there (discard port). */
const NOWHERE = "http://127.0.0.1:9/v1";

/** The request's OPENAI_BASE_URL when it is an http(s) URL, else undefined. */
export function modelBaseUrl(env: Record<string, string>): string | undefined {
  const raw = env.OPENAI_BASE_URL;
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href.replace(/\/$/, "") : undefined;
  } catch {
    return undefined;
  }
}

function retriesOf(env: Record<string, string>): number {
  const value = Number(env[RETRIES_VARIABLE]);
  return Number.isInteger(value) && value >= 0 && value <= 10 ? value : DEFAULT_MAX_RETRIES;
}

function modelOf(request: TurnRequest): string {
  return request.model ?? AGENT_CATALOG.codex.defaultModel;
}

/** A TOML basic string: JSON's escaping (\", \\, \uXXXX) is valid TOML. */
const tomlString = (value: string) => JSON.stringify(value);

function parseJsonLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const idOf = (value: string) => value.slice(0, 200);

interface CodexParserOptions {
  threadId: string | undefined;
  /** Item ids restart at item_0 in every run: this keeps a session's ids unique. */
  idPrefix: string;
  model: string;
  /** The thread's token total before this turn (a resumed thread). */
  usageBefore: TokenUsage | undefined;
  baseUrlMissing: boolean;
}

class CodexParser implements TurnParser {
  private threadId: string | undefined;
  private finished = false;
  private failed = false;
  private errorEmitted = false;
  private lastText: string | undefined;
  /** The last error record since the turn began; turn.failed normally repeats it. */
  private pendingError: string | undefined;
  /** Started tool calls still waiting for their result, by id. */
  private readonly openTools = new Map<string, string>();
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
        return this.fail(this.describe(message));
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
      failed: this.failed,
      sessionId: this.threadId,
      summary: this.lastText ? truncateText(this.lastText, SUMMARY_MAX_CHARS) : undefined,
      unfinishedTools: [...this.openTools].map(([toolId, name]) => ({ toolId, name })),
    };
  }

  private log(text: string): AgentEvent {
    return { type: "log", source: SOURCE, stream: "stdout", text: truncateText(text, LOG_LINE_MAX_CHARS) };
  }

  private onItem(json: unknown, completed: boolean): AgentEvent[] {
    const line = ItemLine.safeParse(json);
    if (!line.success) return [];
    const { item } = line.data;
    const id = idOf(`${this.options.idPrefix}:${item.id}`);
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
    this.openTools.set(toolId, name);
    return [{ type: "tool.start", toolId, name, input: limitStrings(input, TOOL_INPUT_STRING_MAX_CHARS) }];
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
    this.openTools.delete(toolId);
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

  private fail(error: DescribedError): AgentEvent[] {
    this.failed = true;
    if (this.errorEmitted) return [];
    this.errorEmitted = true;
    return [{ type: "error", code: error.code, message: truncateText(error.message, ERROR_MAX_CHARS) }];
  }
}

function isFailedStatus(status: string | null | undefined): boolean {
  return status === "failed" || status === "declined";
}

function outputText(result: unknown): string {
  if (result === undefined || result === null) return "";
  return typeof result === "string" ? result : JSON.stringify(result);
}

export const codex: AgentAdapter = {
  agent: "codex",
  displayName: "Codex",
  binary: {
    name: "codex",
    npmPackage: "@openai/codex",
    install:
      "run `pnpm install` in the Nightshift checkout (packages/sandbox-runtime depends on @openai/codex), or `npm install -g @openai/codex@0.169.0`",
  },

  async prepare(request) {
    await mkdir(codexHomeOf(request.home), { recursive: true });
    const resumed = request.resumeSessionId;
    if (resumed === undefined) return;
    // The id is an argv element of its own: one that looks like an option must never reach it.
    if (!THREAD_ID.test(resumed)) throw new Error(`"${resumed.slice(0, 80)}" is not a Codex thread id`);
    if (!findRollout(sessionsDirectoryOf(request.home), resumed)) {
      throw new Error(
        `Codex's thread ${resumed} is not saved in this HOME (no ${sessionsDirectoryOf(request.home)}/**/rollout-*-${resumed}.jsonl), so it cannot be resumed; send the prompt in a new session`,
      );
    }
  },

  launch(request): AgentLaunch {
    const retries = retriesOf(request.env);
    const provider = [
      `name="Nightshift"`,
      `base_url=${tomlString(modelBaseUrl(request.env) ?? NOWHERE)}`,
      `wire_api="responses"`,
      `env_key="OPENAI_API_KEY"`,
      `request_max_retries=${retries}`,
      `stream_max_retries=${retries}`,
    ].join(",");
    const args = [
      "exec",
      "--json",
      "--skip-git-repo-check",
      "--dangerously-bypass-approvals-and-sandbox",
      "--color",
      "never",
      // Joined to its flag, so a model name starting with "-" is never read as an option.
      `--model=${modelOf(request)}`,
      "--config",
      `model_provider="${PROVIDER_ID}"`,
      "--config",
      `model_providers.${PROVIDER_ID}={${provider}}`,
      "--config",
      "analytics.enabled=false",
      "--config",
      "check_for_update_on_startup=false",
      ...DISABLED_FEATURES.flatMap((feature) => ["--disable", feature]),
      ...(request.resumeSessionId ? ["resume", request.resumeSessionId] : []),
      "--",
      request.text,
    ];
    // RUST_BACKTRACE=0: a startup error is one line on stderr, not a stack of "<unknown>" frames.
    const env = { CODEX_HOME: codexHomeOf(request.home), RUST_BACKTRACE: "0" };
    return { args, env, ...(request.resumeSessionId ? { sessionId: request.resumeSessionId } : {}) };
  },

  createParser(request, launch) {
    return new CodexParser({
      threadId: launch.sessionId,
      idPrefix: request.promptId,
      model: modelOf(request),
      usageBefore: request.resumeSessionId
        ? recordedTotalUsage(request.home, request.resumeSessionId)
        : undefined,
      baseUrlMissing: modelBaseUrl(request.env) === undefined,
    });
  },

  // Threads live in $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl; `exec resume`
  // finds them there (the sqlite files beside them are caches it rebuilds).
  conversationFiles(home) {
    return {
      directory: sessionsDirectoryOf(home),
      holdsSession: (files, sessionId) => files.some((file) => isRolloutOf(file, sessionId)),
    };
  },
};
