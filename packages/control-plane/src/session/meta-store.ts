/**
 * Typed access to the session DO's `meta` table: `get(key)` and `set(key, value)` are typed by
 * the key (meta-keys.ts), values are JSON checked against the key's schema on write and parsed
 * on read, so a corrupt value is a clear error naming its key instead of a silently wrong cast.
 */
import { LEGACY_META_KEYS, META_KEYS, type MetaKey, type MetaValue } from "./meta-keys";

/** The raw rows under the typed store: the DO's SQLite table, or a Map in unit tests. */
export interface MetaRows {
  read(key: string): string | null;
  write(key: string, text: string): void;
  remove(key: string): void;
}

/** A stored value that does not parse or match its key's schema; the value itself is never quoted. */
export class CorruptMetaError extends Error {
  constructor(
    readonly key: MetaKey,
    detail: string,
  ) {
    super(`session storage is corrupt: "${key}" ${detail}`);
    this.name = "CorruptMetaError";
  }
}

export class MetaStore {
  constructor(private readonly rows: MetaRows) {}

  get<K extends MetaKey>(key: K): MetaValue<K> | null {
    const text = this.rows.read(key);
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CorruptMetaError(key, "is not JSON");
    }
    const parsed = META_KEYS[key].safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
      throw new CorruptMetaError(key, `does not match its schema${where}: ${issue?.message ?? "invalid"}`);
    }
    return parsed.data as MetaValue<K>;
  }

  /** Stores a value; one that does not match the key's schema is a bug and throws before anything is written. */
  set<K extends MetaKey>(key: K, value: MetaValue<K>): void {
    const parsed = META_KEYS[key].safeParse(value);
    if (!parsed.success)
      throw new TypeError(`refusing to store an invalid "${key}": ${parsed.error.issues[0]?.message}`);
    this.rows.write(key, JSON.stringify(parsed.data));
  }

  delete(key: MetaKey): void {
    this.rows.remove(key);
  }
}

/** The `meta` table of the DO's SQLite storage (created by store.ts migrations). */
export function sqlMetaRows(sql: SqlStorage): MetaRows {
  return {
    read(key) {
      const row = sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
      return row ? String(row.value) : null;
    },
    write(key, text) {
      sql.exec(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        key,
        text,
      );
    },
    remove(key) {
      sql.exec("DELETE FROM meta WHERE key = ?", key);
    },
  };
}

/**
 * Rewrites keys (and raw-text values) older DOs stored into META_KEYS' names and JSON, once.
 * A legacy value that does not decode to its schema is still moved, so reading it is a clear
 * CorruptMetaError rather than a value silently dropped.
 */
export function migrateLegacyMeta(rows: MetaRows): void {
  for (const { from, to, decode } of LEGACY_META_KEYS) {
    const raw = rows.read(from);
    if (raw === null) continue;
    let text: string | null;
    try {
      const value = decode(raw);
      text = value === undefined ? null : JSON.stringify(value);
    } catch {
      text = raw;
    }
    if (from !== to) rows.remove(from);
    if (text === null) rows.remove(to);
    else rows.write(to, text);
  }
}
