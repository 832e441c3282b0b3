/**
 * The slot coordinator's SQLite tables: who holds a slot (a lease that expires unless renewed),
 * who waits for one (with its fair-queuing round and arrival number), and the pool's small state
 * (limits, the next arrival number, the current round, a pause after the provider said it is full).
 * Synchronous, like all DO SQLite: a read-modify-write cannot interleave with another request.
 */
import type { Holder, SlotLimits, Waiter } from "./policy";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS leases (
    session_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, round INTEGER NOT NULL, seq INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, wanted INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS waiting (
    session_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, round INTEGER NOT NULL, seq INTEGER NOT NULL,
    told_position INTEGER);
  CREATE TABLE IF NOT EXISTS pool_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

/** A lease keeps the request's stamp, so a session the provider refused returns to its old place. */
export interface Lease extends Holder {
  round: number;
  seq: number;
  expiresAt: number;
  /** Whether the holder was told someone waits for its slot (an idle holder then yields soon). */
  wanted: boolean;
}

export interface WaitingRow extends Waiter {
  toldPosition: number | null;
}

/** The holder and its queue stamp, as both the leases and the waiting table store them. */
function stampedHolder(row: Record<string, SqlStorageValue>): Waiter {
  return {
    sessionId: String(row.session_id),
    tenantId: String(row.tenant_id),
    round: Number(row.round),
    seq: Number(row.seq),
  };
}

export class SlotStore {
  constructor(private readonly sql: SqlStorage) {
    this.sql.exec(SCHEMA);
  }

  leases(): Lease[] {
    return this.sql
      .exec("SELECT session_id, tenant_id, round, seq, expires_at, wanted FROM leases")
      .toArray()
      .map((r) => ({
        ...stampedHolder(r),
        expiresAt: Number(r.expires_at),
        wanted: Number(r.wanted) === 1,
      }));
  }

  lease(sessionId: string): Lease | null {
    return this.leases().find((l) => l.sessionId === sessionId) ?? null;
  }

  /** Records or extends a lease; an existing lease keeps its stamp. */
  putLease(holder: Holder, stamp: Pick<Waiter, "round" | "seq">, expiresAt: number): void {
    this.sql.exec(
      `INSERT INTO leases (session_id, tenant_id, round, seq, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(session_id) DO UPDATE SET expires_at = excluded.expires_at`,
      holder.sessionId,
      holder.tenantId,
      stamp.round,
      stamp.seq,
      expiresAt,
    );
  }

  setWanted(sessionId: string, wanted: boolean): void {
    this.sql.exec("UPDATE leases SET wanted = ? WHERE session_id = ?", wanted ? 1 : 0, sessionId);
  }

  dropLease(sessionId: string): boolean {
    return this.sql.exec("DELETE FROM leases WHERE session_id = ?", sessionId).rowsWritten > 0;
  }

  waiting(): WaitingRow[] {
    return this.sql
      .exec("SELECT session_id, tenant_id, round, seq, told_position FROM waiting ORDER BY round, seq")
      .toArray()
      .map((r) => ({
        ...stampedHolder(r),
        toldPosition: r.told_position === null ? null : Number(r.told_position),
      }));
  }

  isWaiting(sessionId: string): boolean {
    return this.sql.exec("SELECT 1 FROM waiting WHERE session_id = ?", sessionId).toArray().length > 0;
  }

  addWaiter(waiter: Waiter): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO waiting (session_id, tenant_id, round, seq, told_position) VALUES (?, ?, ?, ?, NULL)",
      waiter.sessionId,
      waiter.tenantId,
      waiter.round,
      waiter.seq,
    );
  }

  dropWaiter(sessionId: string): boolean {
    return this.sql.exec("DELETE FROM waiting WHERE session_id = ?", sessionId).rowsWritten > 0;
  }

  setToldPosition(sessionId: string, position: number): void {
    this.sql.exec("UPDATE waiting SET told_position = ? WHERE session_id = ?", position, sessionId);
  }

  /** A fresh arrival number: later requests sort after earlier ones. */
  nextSeq(): number {
    const seq = Number(this.get("next_seq") ?? "1");
    this.set("next_seq", String(seq + 1));
    return seq;
  }

  /** The round of the latest grant: new requests are stamped after it. */
  round(): number {
    return Number(this.get("round") ?? "0");
  }

  advanceRound(to: number): void {
    if (to > this.round()) this.set("round", String(to));
  }

  limits(): SlotLimits | null {
    const raw = this.get("limits");
    return raw ? (JSON.parse(raw) as SlotLimits) : null;
  }

  setLimits(limits: SlotLimits): void {
    this.set("limits", JSON.stringify({ total: limits.total, perTenant: limits.perTenant }));
  }

  /** Grants pause until this time after the provider refused a start although slots looked free. */
  pausedUntil(): number {
    return Number(this.get("paused_until") ?? "0");
  }

  refusals(): number {
    return Number(this.get("refusals") ?? "0");
  }

  pause(until: number, refusals: number): void {
    this.set("paused_until", String(until));
    this.set("refusals", String(refusals));
  }

  private get(key: string): string | null {
    const row = this.sql.exec("SELECT value FROM pool_state WHERE key = ?", key).toArray()[0];
    return row ? String(row.value) : null;
  }

  private set(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO pool_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}
