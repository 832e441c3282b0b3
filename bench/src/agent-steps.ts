/**
 * Where a turn's time goes, for the agents bench (agent-overhead.ts). Through Nightshift, from the
 * stored events' times (the control plane's clock, the bench's own on this one machine): the
 * prompt's POST until the prompt is stored, until the first streamed token, until the CLI's usage
 * (its terminal record), until `turn.end` (the CLI's exit, git and the conversation save), and
 * until the watcher has it. Bare, from the CLI's stdout read with its adapter's own parser: spawn
 * until the first token, until the usage, until the process exits.
 */
import type { StoredEvent } from "@nightshift/protocol";
import { summarize } from "./stats";

export interface ThroughSteps {
  /** POST → the prompt stored (the API, the session's DO). */
  dispatch: number;
  /** Prompt stored → first `message.delta` (or `message`) stored (bridge to the runtime, CLI start-up, model call, bridge back). */
  firstToken: number;
  /** First token → `usage` stored (the rest of the stream). */
  stream: number;
  /** `usage` → `turn.end` stored (the CLI exits, git commit/push and the conversation save, bridge). */
  tail: number;
  /** `turn.end` stored → at the watcher. */
  delivery: number;
}

export interface BareSteps {
  firstToken: number;
  stream: number;
  /** The terminal record → the process has exited. */
  tail: number;
}

const wall = (at: string) => Date.parse(at);

/** The steps of the turn whose events follow `fromIndex`; null when one of its landmarks is missing. */
export function throughSteps(
  events: readonly StoredEvent[],
  fromIndex: number,
  startedAt: number,
  receivedAt: (seq: number) => number | undefined,
): ThroughSteps | null {
  const turn = events.slice(fromIndex);
  const first = (type: string) => turn.find((e) => e.event.type === type);
  const prompt = first("prompt");
  // A CLI that does not stream tokens (Codex) shows its first text as a whole message.
  const delta = turn.find((e) => e.event.type === "message.delta" || e.event.type === "message");
  const usage = first("usage");
  const end = first("turn.end");
  const seen = end ? receivedAt(end.seq) : undefined;
  if (!prompt || !delta || !usage || !end || seen === undefined) return null;
  return {
    dispatch: wall(prompt.at) - startedAt,
    firstToken: wall(delta.at) - wall(prompt.at),
    stream: wall(usage.at) - wall(delta.at),
    tail: wall(end.at) - wall(usage.at),
    delivery: seen - wall(end.at),
  };
}

/** Medians per step, rounded to the millisecond. */
export function medianSteps<T extends object>(rows: readonly T[]): Record<keyof T, number> | null {
  if (rows.length === 0) return null;
  const out = {} as Record<keyof T, number>;
  for (const key of Object.keys(rows[0]!) as (keyof T)[]) {
    out[key] = Math.round(summarize(rows.map((row) => row[key] as number)).p50);
  }
  return out;
}

export function describeSteps(steps: Record<string, number> | null): string {
  if (!steps) return "n/a";
  return Object.entries(steps)
    .map(([name, value]) => `${name} ${value}`)
    .join(", ");
}
