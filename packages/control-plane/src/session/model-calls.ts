/**
 * The session's model calls, as the gateway reports them (one RPC per call), kept in the session
 * DO's SQLite instead of one D1 row each. They answer the session's spend cap and its usage view,
 * and the roll-up (analytics/usage-rollup.ts) adds the calls past `flushed_seq` to usage_daily.
 */
import {
  MODEL_ACCOUNT_SOURCES,
  ModelAccountSource,
  ModelProvider,
  ModelTokens,
  type SessionModelUsage,
} from "@nightshift/protocol";
import { z } from "zod";

export const ModelCall = ModelTokens.extend({
  userId: z.string().min(1).max(200),
  provider: ModelProvider,
  model: z.string().min(1).max(300),
  /** The upstream's HTTP status. */
  status: z.number().int().min(100).max(599),
  costUsd: z.number().nonnegative().finite(),
  /** Whose credential paid: user | tenant | deployment | none. */
  accountSource: ModelAccountSource,
  /** ISO time the call ended; its UTC day is the roll-up's day. */
  at: z.iso.datetime(),
});
export type ModelCall = z.infer<typeof ModelCall>;
/** What the session DO's `modelUsage` RPC answers. */
export type SessionUsageView = SessionModelUsage;

/** The calls not yet in usage_daily, summed per day, user and model: one roll-up row each. */
export interface PendingUsage {
  /** The flush covers the calls with fromSeq < seq <= toSeq. */
  fromSeq: number;
  toSeq: number;
  groups: UsageGroup[];
}

export interface UsageGroup extends ModelTokens {
  day: string;
  userId: string;
  provider: string;
  model: string;
  calls: number;
  costUsd: number;
}

const SUMS = `count(*) AS calls, sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens,
  sum(cache_read_tokens) AS cacheReadTokens, sum(cache_creation_tokens) AS cacheCreationTokens,
  sum(cost_usd) AS costUsd`;

type Row = Record<string, SqlStorageValue>;
const num = (v: SqlStorageValue | undefined) => Number(v ?? 0);

/** The ${SUMS} columns of one grouped row, as numbers. */
function sumsOf(r: Row) {
  return {
    calls: num(r.calls),
    inputTokens: num(r.inputTokens),
    outputTokens: num(r.outputTokens),
    cacheReadTokens: num(r.cacheReadTokens),
    cacheCreationTokens: num(r.cacheCreationTokens),
    costUsd: num(r.costUsd),
  };
}

export class ModelCallLog {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS model_calls (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, provider TEXT NOT NULL,
      model TEXT NOT NULL, status INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL,
      cache_creation_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, account_source TEXT NOT NULL,
      at TEXT NOT NULL)`);
    sql.exec(
      "CREATE TABLE IF NOT EXISTS model_calls_flushed (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL)",
    );
  }

  record(call: ModelCall): void {
    this.sql.exec(
      `INSERT INTO model_calls (user_id, provider, model, status, input_tokens, output_tokens,
        cache_read_tokens, cache_creation_tokens, cost_usd, account_source, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      call.userId,
      call.provider,
      call.model,
      call.status,
      call.inputTokens,
      call.outputTokens,
      call.cacheReadTokens,
      call.cacheCreationTokens,
      call.costUsd,
      call.accountSource,
      call.at,
    );
  }

  spentUsd(): number {
    return num(this.sql.exec("SELECT coalesce(sum(cost_usd), 0) AS usd FROM model_calls").one().usd);
  }

  /** GET /sessions/:id/usage: the calls summed per provider and model. */
  view(sessionId: string): SessionModelUsage {
    const rows = this.sql
      .exec<Row>(
        `SELECT provider, model, ${SUMS}, group_concat(DISTINCT account_source) AS sources
         FROM model_calls GROUP BY provider, model ORDER BY provider, model`,
      )
      .toArray();
    const byModel = rows.map((r) => ({
      provider: ModelProvider.parse(r.provider),
      model: String(r.model),
      ...sumsOf(r),
    }));
    const sources = new Set(rows.flatMap((r) => String(r.sources ?? "").split(",")));
    return {
      sessionId,
      calls: byModel.reduce((n, r) => n + r.calls, 0),
      costUsd: byModel.reduce((n, r) => n + r.costUsd, 0),
      paidBy: MODEL_ACCOUNT_SOURCES.filter((source) => sources.has(source)),
      byModel,
    };
  }

  flushedSeq(): number {
    const row = this.sql.exec<Row>("SELECT seq FROM model_calls_flushed WHERE id = 1").toArray()[0];
    return num(row?.seq);
  }

  /** D1's cursor is the truth of what usage_daily holds: the log follows it after every flush. */
  setFlushedSeq(seq: number): void {
    this.sql.exec(
      "INSERT INTO model_calls_flushed (id, seq) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET seq = ?1",
      seq,
    );
  }

  /** The calls past the flushed cursor, summed per UTC day, user and model; null when none. */
  pending(): PendingUsage | null {
    const fromSeq = this.flushedSeq();
    const last = this.sql.exec<Row>("SELECT max(seq) AS last FROM model_calls").one().last;
    if (last === null || num(last) <= fromSeq) return null;
    const toSeq = num(last);
    const groups = this.sql
      .exec<Row>(
        `SELECT substr(at, 1, 10) AS day, user_id AS userId, provider, model, ${SUMS}
         FROM model_calls WHERE seq > ? AND seq <= ?
         GROUP BY day, user_id, provider, model ORDER BY day, user_id, provider, model`,
        fromSeq,
        toSeq,
      )
      .toArray()
      .map((r) => ({
        day: String(r.day),
        userId: String(r.userId),
        provider: String(r.provider),
        model: String(r.model),
        ...sumsOf(r),
      }));
    return { fromSeq, toSeq, groups };
  }
}
