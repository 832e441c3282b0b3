/**
 * The pieces every agent CLI's turn parser needs in the same form: reading a JSON line, bounding
 * the CLI's ids, the `log` event for a line that is not a record, the `tool.start` event, the
 * one-`error`-per-turn latch and the bookkeeping of tool calls still waiting for their result.
 */
import type { AgentEvent } from "@nightshift/protocol";
import type { TurnVerdict } from "./adapter";
import {
  ERROR_MAX_CHARS,
  LOG_LINE_MAX_CHARS,
  limitStrings,
  TOOL_INPUT_STRING_MAX_CHARS,
  truncateText,
} from "./text-limits";

/** A line's JSON, or undefined when it is not JSON (the record schemas then reject it). */
export function parseJsonLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Ids and names as the protocol bounds them (200 characters); the CLIs' are far shorter in practice. */
export function boundedId(value: string): string {
  return value.slice(0, 200);
}

/** A line of the CLI's stdout that is not one of its records, as a bounded `log` event. */
export function stdoutLog(source: string, text: string): AgentEvent {
  return { type: "log", source, stream: "stdout", text: truncateText(text, LOG_LINE_MAX_CHARS) };
}

/** A `tool.start` event with the input's long strings cut to the protocol's bound. */
export function toolStartEvent(toolId: string, name: string, input: unknown): AgentEvent {
  return { type: "tool.start", toolId, name, input: limitStrings(input, TOOL_INPUT_STRING_MAX_CHARS) };
}

/** A turn fails at most once in its events: the first failure is the one a person reads. */
export class ErrorLatch {
  private failedNow = false;
  private emittedNow = false;

  get failed(): boolean {
    return this.failedNow;
  }

  /** An `error` event was already given this turn. */
  get emitted(): boolean {
    return this.emittedNow;
  }

  /** Marks the turn failed; the `error` event only for the first failure. */
  fail(error: { code: string; message: string }): AgentEvent[] {
    this.failedNow = true;
    if (this.emittedNow) return [];
    this.emittedNow = true;
    return [{ type: "error", code: error.code, message: truncateText(error.message, ERROR_MAX_CHARS) }];
  }

  /** Marks the turn failed without a new event (its error was already given). */
  markFailed(): void {
    this.failedNow = true;
  }

  /** A retried model call decides the turn afresh; an error event already given stays given. */
  clearFailure(): void {
    this.failedNow = false;
  }
}

/** Started tool calls still waiting for their result, by id. */
export class OpenTools {
  private readonly open = new Map<string, string>();

  start(toolId: string, name: string): void {
    this.open.set(toolId, name);
  }

  has(toolId: string): boolean {
    return this.open.has(toolId);
  }

  nameOf(toolId: string): string | undefined {
    return this.open.get(toolId);
  }

  end(toolId: string): void {
    this.open.delete(toolId);
  }

  /** The calls a turn ended without finishing, for its verdict. */
  unfinished(): TurnVerdict["unfinishedTools"] {
    return [...this.open].map(([toolId, name]) => ({ toolId, name }));
  }
}
