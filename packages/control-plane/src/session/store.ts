/**
 * SessionStore owns the session DO's SQLite tables: typed metadata (meta-store.ts), the append-only
 * event log (seq monotonic, never rewritten), the prompt queue and named deadlines.
 * Every method is synchronous: DO SQLite runs in-process, so a caller's read-modify-write
 * cannot interleave with another request's.
 */
import type { AgentEvent } from "@nightshift/protocol";
import { MetaStore, migrateLegacyMeta, sqlMetaRows } from "./meta-store";

/** Schema steps in order: SQL, or code for what SQL cannot say. Never edit a shipped step. */
const MIGRATIONS: ReadonlyArray<string | ((sql: SqlStorage) => void)> = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);
   CREATE TABLE prompts (
     id TEXT PRIMARY KEY, position INTEGER NOT NULL UNIQUE, text TEXT NOT NULL,
     author_id TEXT NOT NULL, author_name TEXT NOT NULL, author_email TEXT NOT NULL,
     state TEXT NOT NULL, created_at TEXT NOT NULL);
   CREATE INDEX prompts_state_idx ON prompts(state, position);
   CREATE TABLE deadlines (name TEXT PRIMARY KEY, at INTEGER NOT NULL);`,
  // A deadline whose work threw stays, and is retried with backoff: count its failed attempts.
  "ALTER TABLE deadlines ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;",
  // One naming scheme and JSON for every meta value (meta-keys.ts): older DOs' keys are rewritten.
  (sql) => migrateLegacyMeta(sqlMetaRows(sql)),
  // The agent's saved conversation, in chunks below the 2 MB value limit (conversation-store.ts).
  "CREATE TABLE conversation_chunks (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);",
];

export type { SessionGithubBinding, SessionMeta } from "./meta-keys";

export type PromptState = "queued" | "running" | "done" | "cancelled";

export interface QueuedPrompt {
  id: string;
  text: string;
  author: { id: string; name: string; email: string };
  state: PromptState;
  createdAt: string;
}

export interface EventRow {
  seq: number;
  at: string;
  /** The event as stored JSON, so replay can send it without parsing it again. */
  data: string;
}

const encoder = new TextEncoder();
const NON_ASCII = /[\u0080-\uffff]/;

/** The UTF-8 size of a string; ASCII (most event JSON) without encoding it. */
export function utf8Bytes(text: string): number {
  return NON_ASCII.test(text) ? encoder.encode(text).byteLength : text.length;
}

export class SessionStore {
  /** The session's typed key/value state (meta-keys.ts), the session's own metadata included. */
  readonly meta: MetaStore;
  private lastSeq: number;

  constructor(private readonly sql: SqlStorage) {
    this.migrate();
    this.meta = new MetaStore(sqlMetaRows(sql));
    this.lastSeq = Number(this.sql.exec("SELECT COALESCE(MAX(seq), 0) AS s FROM events").one().s);
  }

  private migrate(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = this.sql.exec("SELECT version FROM schema_version").toArray()[0];
    const current = row ? Number(row.version) : 0;
    for (let v = current; v < MIGRATIONS.length; v++) {
      const step = MIGRATIONS[v]!;
      if (typeof step === "string") this.sql.exec(step);
      else step(this.sql);
    }
    if (!row) this.sql.exec("INSERT INTO schema_version (version) VALUES (?)", MIGRATIONS.length);
    else if (current !== MIGRATIONS.length)
      this.sql.exec("UPDATE schema_version SET version = ?", MIGRATIONS.length);
  }

  // --- event log ------------------------------------------------------------

  get headSeq(): number {
    return this.lastSeq;
  }

  append(event: AgentEvent, at: string): EventRow {
    const seq = this.lastSeq + 1;
    const data = JSON.stringify(event);
    this.sql.exec("INSERT INTO events (seq, at, type, data) VALUES (?, ?, ?, ?)", seq, at, event.type, data);
    this.lastSeq = seq;
    return { seq, at, data };
  }

  /**
   * Events with seq > after, oldest first, at most `limit` of them and, when `maxBytes` is given,
   * no more than that many bytes of event JSON (but always at least one event, so a cursor
   * always advances). Rows are read one by one from the lazy cursor, and reading stops at the
   * budget, so rows past it are never materialised.
   */
  readAfter(after: number, limit: number, maxBytes = Number.POSITIVE_INFINITY): EventRow[] {
    const cursor = this.sql.exec<{ seq: number; at: string; data: string }>(
      "SELECT seq, at, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
      after,
      limit,
    );
    const rows: EventRow[] = [];
    let bytes = 0;
    for (const r of cursor) {
      const data = String(r.data);
      const size = Number.isFinite(maxBytes) ? utf8Bytes(data) : 0;
      if (rows.length > 0 && bytes + size > maxBytes) break;
      rows.push({ seq: Number(r.seq), at: String(r.at), data });
      bytes += size;
    }
    return rows;
  }

  // --- prompt queue ---------------------------------------------------------

  enqueuePrompt(p: Omit<QueuedPrompt, "state">): { position: number } {
    const next = Number(this.sql.exec("SELECT COALESCE(MAX(position), 0) + 1 AS p FROM prompts").one().p);
    this.sql.exec(
      "INSERT INTO prompts (id, position, text, author_id, author_name, author_email, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
      p.id,
      next,
      p.text,
      p.author.id,
      p.author.name,
      p.author.email,
      p.createdAt,
    );
    const ahead = Number(
      this.sql
        .exec("SELECT COUNT(*) AS n FROM prompts WHERE state IN ('queued','running') AND position < ?", next)
        .one().n,
    );
    return { position: ahead };
  }

  nextQueuedPrompt(): QueuedPrompt | null {
    return this.readPrompts("WHERE state = 'queued' ORDER BY position LIMIT 1")[0] ?? null;
  }

  runningPrompt(): QueuedPrompt | null {
    return this.readPrompts("WHERE state = 'running' LIMIT 1")[0] ?? null;
  }

  pendingPromptCount(): number {
    return Number(
      this.sql.exec("SELECT COUNT(*) AS n FROM prompts WHERE state IN ('queued','running')").one().n,
    );
  }

  setPromptState(id: string, state: PromptState): void {
    this.sql.exec("UPDATE prompts SET state = ? WHERE id = ?", state, id);
  }

  cancelOpenPrompts(): number {
    return this.sql.exec("UPDATE prompts SET state = 'cancelled' WHERE state IN ('queued','running')")
      .rowsWritten;
  }

  private readPrompts(clause: string): QueuedPrompt[] {
    return this.sql
      .exec(`SELECT id, text, author_id, author_name, author_email, state, created_at FROM prompts ${clause}`)
      .toArray()
      .map((r) => ({
        id: String(r.id),
        text: String(r.text),
        author: { id: String(r.author_id), name: String(r.author_name), email: String(r.author_email) },
        state: String(r.state) as PromptState,
        createdAt: String(r.created_at),
      }));
  }

  // --- deadlines (used by the scheduler) -------------------------------------

  /** Sets (or moves) a deadline; a fresh deadline has no failed attempts. */
  setDeadline(name: string, at: number): void {
    this.sql.exec(
      "INSERT INTO deadlines (name, at, attempts) VALUES (?, ?, 0) ON CONFLICT(name) DO UPDATE SET at = excluded.at, attempts = 0",
      name,
      at,
    );
  }

  clearDeadline(name: string): void {
    this.sql.exec("DELETE FROM deadlines WHERE name = ?", name);
  }

  /** Deletes the deadline only if it still fires at `at` (its work may have set it again). */
  clearDeadlineAt(name: string, at: number): void {
    this.sql.exec("DELETE FROM deadlines WHERE name = ? AND at = ?", name, at);
  }

  /** Moves a deadline whose work failed to `retryAt`, counting the attempt; a no-op if it was moved meanwhile. */
  retryDeadline(name: string, firedAt: number, retryAt: number): void {
    this.sql.exec(
      "UPDATE deadlines SET at = ?, attempts = attempts + 1 WHERE name = ? AND at = ?",
      retryAt,
      name,
      firedAt,
    );
  }

  deadlines(): { name: string; at: number; attempts: number }[] {
    return this.sql
      .exec("SELECT name, at, attempts FROM deadlines ORDER BY at")
      .toArray()
      .map((r) => ({ name: String(r.name), at: Number(r.at), attempts: Number(r.attempts) }));
  }
}
