/**
 * The tenant meter's month totals (rate-limit/tenant-limiter.ts): one row per month (`YYYY-MM`,
 * UTC) in the tenant DO's SQLite. A month's row starts from what usage_daily already holds for it
 * (the spend rolled up before the meter kept it, e.g. across the deploy that moved it here), read
 * once per month; every call of the month is then added here as it is made.
 */
import type { Database } from "../db/client";
import { rolledUpMonthUsd } from "../db/repositories/usage-rollups";

export class MonthSpend {
  constructor(
    private readonly sql: SqlStorage,
    private readonly db: () => Database,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS month_spend (month TEXT PRIMARY KEY, usd REAL NOT NULL)");
  }

  async add(tenantId: string, month: string, usd: number): Promise<number> {
    await this.ensureMonth(tenantId, month);
    this.sql.exec("UPDATE month_spend SET usd = usd + ? WHERE month = ?", usd, month);
    return this.stored(month) ?? usd;
  }

  async read(tenantId: string, month: string): Promise<number> {
    await this.ensureMonth(tenantId, month);
    return this.stored(month) ?? 0;
  }

  private stored(month: string): number | null {
    const row = this.sql
      .exec<{ usd: number }>("SELECT usd FROM month_spend WHERE month = ?", month)
      .toArray()[0];
    return row ? Number(row.usd) : null;
  }

  /**
   * The D1 read awaits outside the DO's input gate, so another call may start the month meanwhile:
   * the first stored start wins and every call adds onto it.
   */
  private async ensureMonth(tenantId: string, month: string): Promise<void> {
    if (this.stored(month) !== null) return;
    const start = await this.rolledUp(tenantId, month);
    this.sql.exec(
      "INSERT INTO month_spend (month, usd) VALUES (?, ?) ON CONFLICT (month) DO NOTHING",
      month,
      start,
    );
  }

  private rolledUp(tenantId: string, month: string): Promise<number> {
    return rolledUpMonthUsd(this.db(), tenantId, month);
  }
}
