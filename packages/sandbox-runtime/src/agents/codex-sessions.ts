/**
 * Codex's saved sessions: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl`, one
 * file per thread, appended to by every `codex exec resume`. Resuming needs only these files (the
 * sqlite state beside them is rebuilt), which is what lets a session resume on a new sandbox.
 *
 * They also answer what `turn.completed` does not: its usage is the thread's running total, so a
 * resumed turn's own usage is that total minus the total the rollout had recorded before the turn
 * started (its last `token_count` record).
 */
import { type Dirent, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { RolloutTokenCount, type TokenUsage } from "./codex-records";

/** Where Codex keeps its state under the CLI's HOME (`CODEX_HOME`). */
export function codexHomeOf(home: string): string {
  return join(home, ".codex");
}

export function sessionsDirectoryOf(home: string): string {
  return join(codexHomeOf(home), "sessions");
}

const ROLLOUT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}$/;

/**
 * Whether a rollout file (a path or a name) is the one of thread `threadId`: exactly
 * `rollout-<YYYY-MM-DDThh-mm-ss>-<thread id>.jsonl` (ids hold dashes: a suffix match would take
 * thread "abc" for "…-01a2-abc").
 */
export function isRolloutOf(file: string, threadId: string): boolean {
  const name = basename(file);
  const prefix = "rollout-";
  const suffix = `-${threadId}.jsonl`;
  if (threadId === "" || !name.startsWith(prefix) || !name.endsWith(suffix)) return false;
  return ROLLOUT_TIME.test(name.slice(prefix.length, name.length - suffix.length));
}

/** Rollouts bigger than this are not read for the baseline (the turn's usage is then the CLI's figure). */
const MAX_ROLLOUT_BYTES = 64 * 1024 * 1024;
/** The sessions tree is year/month/day: no deeper search is needed. */
const MAX_DEPTH = 4;

/** The rollout file of `threadId` under `sessionsDir`, if there is one. */
export function findRollout(sessionsDir: string, threadId: string, depth = 0): string | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(sessionsDir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const path = join(sessionsDir, entry.name);
    if (entry.isFile() && isRolloutOf(entry.name, threadId)) return path;
    if (entry.isDirectory() && depth < MAX_DEPTH) {
      const found = findRollout(path, threadId, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** The thread's token total as its rollout last recorded it; undefined when unknown. */
export function recordedTotalUsage(home: string, threadId: string): TokenUsage | undefined {
  const rollout = findRollout(sessionsDirectoryOf(home), threadId);
  if (!rollout) return undefined;
  let text: string;
  try {
    if (statSync(rollout).size > MAX_ROLLOUT_BYTES) return undefined;
    text = readFileSync(rollout, "utf8");
  } catch {
    return undefined;
  }
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.includes('"token_count"')) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const record = RolloutTokenCount.safeParse(json);
    const total = record.success ? record.data.payload.info?.total_token_usage : undefined;
    if (total) return total;
  }
  return undefined;
}

type CountedField =
  | "input_tokens"
  | "cached_input_tokens"
  | "cache_write_input_tokens"
  | "output_tokens"
  | "reasoning_output_tokens";

/**
 * This turn's usage from the thread's running total and the total before the turn. When the
 * total went down (the CLI restarted its count), the running total is this turn's.
 */
export function usageSince(total: TokenUsage, before: TokenUsage | undefined): TokenUsage {
  if (!before || total.input_tokens < before.input_tokens || total.output_tokens < before.output_tokens) {
    return total;
  }
  const minus = (key: CountedField) => Math.max(0, total[key] - before[key]);
  return {
    input_tokens: minus("input_tokens"),
    cached_input_tokens: minus("cached_input_tokens"),
    cache_write_input_tokens: minus("cache_write_input_tokens"),
    output_tokens: minus("output_tokens"),
    reasoning_output_tokens: minus("reasoning_output_tokens"),
  };
}
