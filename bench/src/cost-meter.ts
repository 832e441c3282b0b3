/**
 * Meters what a session costs the control plane, from outside the Worker:
 * - a counting reverse proxy the sandbox dials instead of the Worker (SANDBOX_CONTROL_PLANE_URL):
 *   HTTP requests, WebSocket upgrades and the messages in each direction;
 * - write counters in the local SQLite files behind D1 and the Durable Objects (triggers added by a
 *   second connection; workerd re-reads the schema), so inserts, updates and deletes are all counted.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type RawData, WebSocket, WebSocketServer } from "ws";

export interface TrafficCounts {
  httpRequests: number;
  webSocketUpgrades: number;
  messagesToWorker: number;
  messagesFromWorker: number;
}

export interface CountingProxy {
  url: string;
  counts: TrafficCounts;
  close(): void;
}

const SKIPPED_UPGRADE_HEADERS = new Set([
  "host",
  "connection",
  "upgrade",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
]);

function upstreamHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string" && !SKIPPED_UPGRADE_HEADERS.has(name)) out[name] = value;
  }
  return out;
}

function sendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

export async function startCountingProxy(target: () => string): Promise<CountingProxy> {
  const counts: TrafficCounts = {
    httpRequests: 0,
    webSocketUpgrades: 0,
    messagesToWorker: 0,
    messagesFromWorker: 0,
  };
  const server = createServer((req, res) => {
    counts.httpRequests++;
    const out = httpRequest(
      `${target()}${req.url}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  const sockets = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    counts.webSocketUpgrades++;
    const protocols = (req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    const upstream = new WebSocket(`${target().replace(/^http/, "ws")}${req.url}`, protocols, {
      headers: upstreamHeaders(req),
    });
    upstream.once("error", () => socket.destroy());
    upstream.once("open", () => {
      sockets.handleUpgrade(req, socket, head, (client) => {
        const relay = (from: WebSocket, to: WebSocket, count: () => void) => {
          from.on("message", (data: RawData, isBinary: boolean) => {
            count();
            if (to.readyState === WebSocket.OPEN) to.send(data, { binary: isBinary });
          });
          from.on("close", (code, reason) => {
            if (to.readyState !== WebSocket.OPEN) return;
            // 1005/1006/1015 describe a close and may not be sent: pass those on as a dropped socket.
            if (sendableCloseCode(code)) to.close(code, reason);
            else to.terminate();
          });
          from.on("error", () => to.terminate());
        };
        relay(client, upstream, () => counts.messagesToWorker++);
        relay(upstream, client, () => counts.messagesFromWorker++);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () => {
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      server.close();
    },
  };
}

const COUNTER_TABLE = "bench_row_writes";
const JOURNAL_TABLE = "bench_row_journal";

/** The SQLite files below `dir` (D1 databases, Durable Object storage). */
export function sqliteFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sqliteFilesUnder(path));
    else if (entry.endsWith(".sqlite")) out.push(path);
  }
  return out;
}

function userTables(db: DatabaseSync): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as Array<{ name: string }>;
  return rows.map((r) => r.name).filter((name) => name !== COUNTER_TABLE && name !== JOURNAL_TABLE);
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Adds write-counting triggers to every table of the database at `file` and returns the rows the
 * tables already hold (writes that happened before the triggers existed).
 */
export function meterWrites(file: string): number {
  const db = new DatabaseSync(file);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec(`CREATE TABLE IF NOT EXISTS ${COUNTER_TABLE} (tbl TEXT PRIMARY KEY, n INTEGER NOT NULL)`);
    let existing = 0;
    for (const table of userTables(db)) {
      existing += (db.prepare(`SELECT count(*) AS n FROM ${quoted(table)}`).get() as { n: number }).n;
      // workerd's authorizer refuses statements that touch a trigger on its own _cf_ tables.
      if (table.startsWith("_cf_")) continue;
      for (const op of ["INSERT", "UPDATE", "DELETE"]) {
        const trigger = quoted(`bench_count_${op.toLowerCase()}_${table}`);
        db.exec(
          `CREATE TRIGGER IF NOT EXISTS ${trigger} AFTER ${op} ON ${quoted(table)} BEGIN ` +
            `INSERT INTO ${COUNTER_TABLE} (tbl, n) VALUES (${`'${table.replaceAll("'", "''")}'`}, 1) ` +
            "ON CONFLICT(tbl) DO UPDATE SET n = n + 1; END",
        );
      }
    }
    return existing;
  } finally {
    db.close();
  }
}

/** Rows written per table since `meterWrites`, and the file's size in bytes. */
export function writesSince(file: string): { byTable: Record<string, number>; total: number; bytes: number } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const rows = db.prepare(`SELECT tbl, n FROM ${COUNTER_TABLE}`).all() as Array<{ tbl: string; n: number }>;
    const byTable = Object.fromEntries(rows.map((r) => [r.tbl, r.n]));
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    const pages = db.prepare("PRAGMA page_count").get() as { page_count: number };
    const size = db.prepare("PRAGMA page_size").get() as { page_size: number };
    return { byTable, total, bytes: pages.page_count * size.page_size };
  } finally {
    db.close();
  }
}

/**
 * Also records, for each insert or update of `table`, the value of `column` in the written row and
 * the time (ms), so a bench can say what each row was (e.g. the session status an index write set).
 */
export function journalWrites(file: string, table: string, column: string): void {
  const db = new DatabaseSync(file);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${JOURNAL_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, op TEXT NOT NULL, value TEXT, at INTEGER NOT NULL)`,
    );
    for (const op of ["INSERT", "UPDATE"]) {
      const trigger = quoted(`bench_journal_${op.toLowerCase()}_${table}`);
      db.exec(
        `CREATE TRIGGER IF NOT EXISTS ${trigger} AFTER ${op} ON ${quoted(table)} BEGIN ` +
          `INSERT INTO ${JOURNAL_TABLE} (tbl, op, value, at) VALUES ('${table.replaceAll("'", "''")}', '${op.toLowerCase()}', ` +
          `NEW.${quoted(column)}, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)); END`,
      );
    }
  } finally {
    db.close();
  }
}

export interface JournalEntry {
  op: string;
  value: string | null;
  at: number;
}

/** The journaled writes of `table`, oldest first. */
export function journalOf(file: string, table: string): JournalEntry[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    return db
      .prepare(`SELECT op, value, at FROM ${JOURNAL_TABLE} WHERE tbl = ? ORDER BY seq`)
      .all(table) as unknown as JournalEntry[];
  } finally {
    db.close();
  }
}
