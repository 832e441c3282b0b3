/**
 * D1 writes of one typical session, by table, with the usage roll-ups' share: a local-repo
 * session whose first turn runs a tool and pushes, one follow-up turn, then stop (as the cost
 * bench), on the local stack with the scripted model through the model gateway. D1 rows written
 * are counted by triggers on the local D1 file (cost-meter.ts), against issue 17's ≤ 10, and each
 * sessions-index write is listed with the status it set and when (the DO writes ends of turns at
 * once and folds the rest: session/index-sync.ts). The gateway records each model call in the
 * session's DO and the tenant's meter DO, not in D1; after the session's roll-up flush has run
 * (10 s after its end), the roll-ups in D1 are checked against the session's calls as its usage
 * view (GET /sessions/:id/usage, read from the DO) reports them.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createDemoRepo, type Stack, StreamWatcher, startStack } from "@nightshift/devstack";
import { journalOf, journalWrites, meterWrites, sqliteFilesUnder, writesSince } from "./cost-meter";
import { postJson } from "./stack-api";

/** Issue 17's budget: D1 rows written per typical session, all tables together. */
const TARGET_D1_ROWS = 10;
/** The flush runs ROLLUP_DELAY_MS (10 s) after the session ends; this bounds the wait for it. */
const FLUSH_TIMEOUT_MS = 60_000;
const ROLLUP_TABLES = ["usage_daily", "usage_rollup_cursors"];

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`rollup bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Sums {
  calls: number;
  tokens: number;
  cost: number;
}

/** The session's model calls as its DO holds them (the gateway's records), via the usage view. */
async function gatewayUsage(stack: Stack, sessionId: string): Promise<Sums> {
  const res = await fetch(`${stack.url}/api/v1/sessions/${sessionId}/usage`, { headers: stack.headers });
  if (!res.ok) throw new Error(`usage view: ${res.status} ${await res.text()}`);
  const view = (await res.json()) as {
    calls: number;
    costUsd: number;
    byModel: {
      inputTokens: number;
      outputTokens: number;
      cacheReadTokens: number;
      cacheCreationTokens: number;
    }[];
  };
  const tokens = view.byModel.reduce(
    (n, m) => n + m.inputTokens + m.outputTokens + m.cacheReadTokens + m.cacheCreationTokens,
    0,
  );
  return { calls: view.calls, tokens, cost: Number(view.costUsd.toFixed(9)) };
}

function rolledUp(file: string): Sums {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    // workerd writes the same file: wait for its lock instead of failing the read.
    db.exec("PRAGMA busy_timeout = 5000");
    const row = db
      .prepare(
        `SELECT coalesce(sum(calls), 0) AS calls, coalesce(sum(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens), 0) AS tokens,
         coalesce(round(sum(cost_usd), 9), 0) AS cost FROM usage_daily`,
      )
      .get() as unknown as Sums;
    return { calls: Number(row.calls), tokens: Number(row.tokens), cost: Number(row.cost) };
  } finally {
    db.close();
  }
}

export async function runRollupBench(log: (line: string) => void = console.log) {
  const stack = await startStack({ forceScriptedModel: true, echo: process.env.BENCH_ECHO === "1" });
  try {
    createDemoRepo(stack.reposRoot, "rollup");
    const [d1File] = sqliteFilesUnder(join(stack.stateDir, "wrangler", "v3", "d1")).filter(
      (f) => !f.endsWith("metadata.sqlite"),
    );
    if (!d1File) throw new Error("rollup bench: no local D1 file");
    meterWrites(d1File);
    journalWrites(d1File, "sessions", "status");
    const startedAt = Date.now();
    const model = stack.model;
    if (!model) throw new Error("the rollup bench needs the scripted model");
    model.enqueue(
      { kind: "tool", name: "Bash", input: { command: "echo rollup >> NOTES.md", description: "note" } },
      { kind: "text", text: "Added a note." },
    );
    const session = await postJson(stack, "/api/v1/sessions", {
      repo: { kind: "local", path: "rollup" },
      prompt: "Add a note to NOTES.md.",
    });
    const watcher = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
    const turnEnds = () => watcher.events.filter((e) => e.event.type === "turn.end").length;
    const withEvents = (err: unknown) => {
      const seen = watcher.events.map((e) => JSON.stringify(e.event).slice(0, 200)).join("\n");
      throw new Error(`${(err as Error).message}; the session's events:\n${seen}`);
    };
    await until("the first turn", () => turnEnds() === 1, 400_000).catch(withEvents);
    model.enqueue({ kind: "text", text: "Done, nothing else to change." });
    await postJson(stack, `/api/v1/sessions/${session.id}/prompts`, { text: "Anything else?" });
    await until("the follow-up turn", () => turnEnds() === 2, 300_000).catch(withEvents);
    await postJson(stack, `/api/v1/sessions/${session.id}/stop`, {});
    await until("the session to stop", () => watcher.sawStatus("stopped"), 60_000);
    watcher.close();
    let usage = await gatewayUsage(stack, session.id);
    await until(
      "the roll-up flush",
      async () => {
        usage = await gatewayUsage(stack, session.id);
        return rolledUp(d1File).calls === usage.calls && usage.calls > 0;
      },
      FLUSH_TIMEOUT_MS,
    );
    // Anything the session still had to write (index sync, alarms) lands before counting.
    await new Promise((r) => setTimeout(r, 2_000));
    const { byTable, total } = writesSince(d1File);
    const rollupWrites = ROLLUP_TABLES.reduce((n, t) => n + (byTable[t] ?? 0), 0);
    const rolled = rolledUp(d1File);
    const matches =
      rolled.calls === usage.calls &&
      rolled.tokens === usage.tokens &&
      Math.abs(rolled.cost - usage.cost) < 1e-9;
    log(
      `D1 rows written by the session: ${total} (target ≤ ${TARGET_D1_ROWS}${total <= TARGET_D1_ROWS ? ", met" : ", MISSED"}: ${Object.entries(
        byTable,
      )
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([t, n]) => `${t} ${n}`)
        .join(", ")})`,
    );
    const index = journalOf(d1File, "sessions");
    log(
      `sessions index writes: ${index.length} (${index
        .map((w) => `${w.op === "insert" ? "+" : ""}${w.value} @${((w.at - startedAt) / 1000).toFixed(1)}s`)
        .join(", ")})`,
    );
    log(
      `roll-ups: ${rollupWrites} rows written for ${usage.calls} model calls; ` +
        `roll-ups ${matches ? "match" : "DO NOT match"} the gateway's calls (${rolled.calls} calls, ${rolled.tokens} tokens, $${rolled.cost.toFixed(6)})`,
    );
    if (!matches) throw new Error("rollup bench: the roll-ups do not match the session's model calls");
    return {
      d1RowsWritten: total,
      byTable,
      modelCalls: usage.calls,
      rollupRowsWritten: rollupWrites,
      targetD1RowsWritten: TARGET_D1_ROWS,
      rollupsMatchUsage: matches,
      sessionIndexWrites: index.map((w) => ({ op: w.op, status: w.value, atMs: w.at - startedAt })),
    };
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runRollupBench();
