/** model_usage rows: written once per forwarded call, read as sums. Every query names its tenant. */
import {
  MODEL_ACCOUNT_SOURCES,
  type ModelAccountSource,
  type ModelProvider,
  type ModelTokens,
  type SessionModelUsage,
} from "@nightshift/protocol";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { modelUsage } from "../schema";

export interface UsageRecord extends ModelTokens {
  sessionId: string;
  userId: string;
  provider: ModelProvider;
  model: string;
  status: number;
  costUsd: number;
  /** Whose credential paid: user | tenant | deployment | none. */
  accountSource: ModelAccountSource;
  at: Date;
}

/** `YYYY-MM` in UTC: the month a call's spend counts against. */
function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

export async function recordUsage(db: Database, tenantId: string, record: UsageRecord): Promise<void> {
  const { at, ...fields } = record;
  await db.insert(modelUsage).values({
    id: `mu_${crypto.randomUUID().replaceAll("-", "")}`,
    tenantId,
    ...fields,
    month: monthOf(at),
    createdAt: at.toISOString(),
  });
}

/** Spend so far of one session and of the tenant this month, in one round trip. */
export async function spendSoFar(
  db: Database,
  tenantId: string,
  sessionId: string,
  at: Date,
): Promise<{ sessionUsd: number; monthUsd: number }> {
  const [row] = await db
    .select({
      sessionUsd: sql<number>`coalesce(sum(case when ${modelUsage.sessionId} = ${sessionId} then ${modelUsage.costUsd} end), 0)`,
      monthUsd: sql<number>`coalesce(sum(case when ${modelUsage.month} = ${monthOf(at)} then ${modelUsage.costUsd} end), 0)`,
    })
    .from(modelUsage)
    .where(
      and(
        eq(modelUsage.tenantId, tenantId),
        sql`(${modelUsage.sessionId} = ${sessionId} or ${modelUsage.month} = ${monthOf(at)})`,
      ),
    );
  return { sessionUsd: Number(row?.sessionUsd ?? 0), monthUsd: Number(row?.monthUsd ?? 0) };
}

export async function sessionUsage(
  db: Database,
  tenantId: string,
  sessionId: string,
): Promise<SessionModelUsage> {
  const rows = await db
    .select({
      provider: modelUsage.provider,
      model: modelUsage.model,
      calls: sql<number>`count(*)`,
      inputTokens: sql<number>`sum(${modelUsage.inputTokens})`,
      outputTokens: sql<number>`sum(${modelUsage.outputTokens})`,
      cacheReadTokens: sql<number>`sum(${modelUsage.cacheReadTokens})`,
      cacheCreationTokens: sql<number>`sum(${modelUsage.cacheCreationTokens})`,
      costUsd: sql<number>`sum(${modelUsage.costUsd})`,
      accountSources: sql<string | null>`group_concat(distinct ${modelUsage.accountSource})`,
    })
    .from(modelUsage)
    .where(and(eq(modelUsage.tenantId, tenantId), eq(modelUsage.sessionId, sessionId)))
    .groupBy(modelUsage.provider, modelUsage.model)
    .orderBy(modelUsage.provider, modelUsage.model);
  const byModel = rows.map((r) => ({
    provider: r.provider as ModelProvider,
    model: r.model,
    calls: Number(r.calls),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    cacheReadTokens: Number(r.cacheReadTokens),
    cacheCreationTokens: Number(r.cacheCreationTokens),
    costUsd: Number(r.costUsd),
  }));
  const sources = new Set(rows.flatMap((r) => (r.accountSources ?? "").split(",")));
  return {
    sessionId,
    calls: byModel.reduce((n, r) => n + r.calls, 0),
    costUsd: byModel.reduce((n, r) => n + r.costUsd, 0),
    paidBy: MODEL_ACCOUNT_SOURCES.filter((source) => sources.has(source)),
    byModel,
  };
}
