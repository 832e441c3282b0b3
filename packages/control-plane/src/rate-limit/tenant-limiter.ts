/**
 * TenantRateLimiter: one Durable Object per tenant (idFromName(tenantId)), the tenant's meter. It
 * holds the GCRA state of the tenant's rate-limit buckets and the tenant's model spend per month
 * (UTC) in its SQLite storage. A DO runs one call at a time, so each decision is atomic per bucket
 * and each call's spend is added once, without a D1 write per request; the state is durable (the
 * answer leaves only after the write is stored), so an eviction cannot reset a limit mid-period.
 * The object binds to the first tenant that calls it and refuses any other.
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { openDatabase } from "../db/client";
import type { Bindings } from "../env";
import { gcraLease } from "./gcra";
import { MonthSpend } from "./month-spend";

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month is YYYY-MM");
const AddSpend = z.object({
  tenantId: z.string().min(1).max(200),
  month: Month,
  usd: z.number().nonnegative().finite(),
});
const ReadSpend = z.object({ tenantId: z.string().min(1).max(200), month: Month });
export type AddSpendRequest = z.infer<typeof AddSpend>;

const Take = z.object({
  tenantId: z.string().min(1).max(200),
  bucket: z.string().min(1).max(300),
  now: z.number().int().nonnegative(),
  intervalMs: z.number().positive(),
  toleranceMs: z.number().nonnegative(),
  /** More than one: a lease the caller hands out itself (leases.ts); fewer may be granted. */
  want: z.number().int().min(1).max(64).optional(),
});
export type TakeRequest = z.input<typeof Take>;

export type TakeAnswer = { allowed: true; granted: number } | { allowed: false; retryAfterMs: number };
/** A call naming another tenant than the one this object belongs to: nothing is taken or read. */
export const WRONG_TENANT = { refused: "wrong_tenant" } as const;

export class TenantRateLimiter extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;
  private readonly spend: MonthSpend;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS owner (id INTEGER PRIMARY KEY CHECK (id = 1), tenant_id TEXT NOT NULL)",
    );
    this.sql.exec("CREATE TABLE IF NOT EXISTS buckets (bucket TEXT PRIMARY KEY, tat INTEGER NOT NULL)");
    this.spend = new MonthSpend(this.sql, () => openDatabase(env.DB));
  }

  /** The gateway adds one call's cost to the month it was made in; answers the month's new total. */
  async addSpend(request: AddSpendRequest): Promise<{ usd: number } | typeof WRONG_TENANT> {
    const { tenantId, month, usd } = AddSpend.parse(request);
    if (!this.ownedBy(tenantId)) return WRONG_TENANT;
    return { usd: await this.spend.add(tenantId, month, usd) };
  }

  /** The month's spend so far: the gateway's month cap, the create-time 402 and the budget status. */
  async monthSpend(tenantId: string, month: string): Promise<{ usd: number } | typeof WRONG_TENANT> {
    const read = ReadSpend.parse({ tenantId, month });
    if (!this.ownedBy(read.tenantId)) return WRONG_TENANT;
    return { usd: await this.spend.read(read.tenantId, read.month) };
  }

  /**
   * Admits one request on the bucket (or up to `want`, for a lease) if its limit allows, and
   * records them; else says when it would.
   */
  async take(request: TakeRequest): Promise<TakeAnswer | typeof WRONG_TENANT> {
    const { tenantId, bucket, want, ...params } = Take.parse(request);
    if (!this.ownedBy(tenantId)) return WRONG_TENANT;
    const row = this.sql
      .exec<{ tat: number }>("SELECT tat FROM buckets WHERE bucket = ?", bucket)
      .toArray()[0];
    const decision = gcraLease(row ? Number(row.tat) : null, params, want ?? 1);
    if (!decision.allowed) return decision;
    this.sql.exec(
      "INSERT INTO buckets (bucket, tat) VALUES (?1, ?2) ON CONFLICT (bucket) DO UPDATE SET tat = ?2",
      bucket,
      decision.tat,
    );
    // A bucket whose arrival time has passed holds no budget: forget it (e.g. a deleted API key's).
    this.sql.exec("DELETE FROM buckets WHERE tat < ? AND bucket <> ?", params.now, bucket);
    return { allowed: true, granted: decision.granted };
  }

  /** Binds the object to its first caller's tenant; true when `tenantId` is that tenant. */
  private ownedBy(tenantId: string): boolean {
    const owner = this.sql
      .exec<{ tenant_id: string }>("SELECT tenant_id FROM owner WHERE id = 1")
      .toArray()[0];
    if (owner) return owner.tenant_id === tenantId;
    this.sql.exec("INSERT INTO owner (id, tenant_id) VALUES (1, ?)", tenantId);
    return true;
  }
}
