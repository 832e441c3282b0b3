import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { prepareLocalDatabase } from "./local-database";
import { localDatabaseOptions, REPO_ROOT, wranglerEnv } from "./worker";

const scratch = mkdtempSync(join(tmpdir(), "ns-local-db-test-"));

const expectedMigrations = readdirSync(join(REPO_ROOT, "migrations"))
  .filter((name) => name.endsWith(".sql"))
  .sort();

/**
 * A stand-in for `wrangler d1 migrations apply`: it writes a database where wrangler would, with
 * the repository's migrations listed as applied, and notes each run, so a test can count them. The
 * real wrangler builds the template every stack starts from (the last test, and every e2e suite).
 */
const runsLog = join(scratch, "migrate-runs.log");
const standIn = join(scratch, "wrangler-stand-in.mjs");
writeFileSync(
  standIn,
  `#!${process.execPath}
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
const persist = process.argv[process.argv.indexOf("--persist-to") + 1];
appendFileSync(${JSON.stringify(runsLog)}, persist + "\\n");
const dir = join(persist, "v3/d1/miniflare-D1DatabaseObject");
mkdirSync(dir, { recursive: true });
const db = new DatabaseSync(join(dir, "${"a".repeat(64)}.sqlite"));
db.exec("CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)");
for (const name of ${JSON.stringify(expectedMigrations)}) db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").run(name);
db.close();
`,
);
chmodSync(standIn, 0o755);
const migrationRuns = () => readFileSync(runsLog, "utf8").split("\n").filter(Boolean).length;

const options = {
  repoRoot: REPO_ROOT,
  wranglerBin: standIn,
  wranglerEnv,
  templateRoot: join(scratch, "templates"),
};
/** A "wrangler" that fails at once: any call that reaches it rejects. */
const noWrangler = { ...options, wranglerBin: "/bin/false" };

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function openDatabase(persistDir: string): DatabaseSync {
  const dir = join(persistDir, "v3/d1/miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((name) => /^[0-9a-f]{64}\.sqlite$/.test(name));
  if (!file) throw new Error(`no D1 database under ${dir}`);
  return new DatabaseSync(join(dir, file));
}

function appliedMigrations(persistDir: string): string[] {
  const db = openDatabase(persistDir);
  try {
    return db
      .prepare("SELECT name FROM d1_migrations ORDER BY id")
      .all()
      .map((row) => String(row.name));
  } finally {
    db.close();
  }
}

describe("the local D1 a stack starts with", () => {
  it("is migrated once for stacks starting together, and each gets its own copy", async () => {
    const [a, b, c] = [join(scratch, "a"), join(scratch, "b"), join(scratch, "c")];
    await Promise.all([a, b, c].map((dir) => prepareLocalDatabase(dir, options)));
    // One migration: the other two waited for it instead of running their own.
    expect(migrationRuns()).toBe(1);
    for (const dir of [a, b, c]) expect(appliedMigrations(dir)).toEqual(expectedMigrations);
    // One template, no lock or half-built leftovers from the race.
    expect(readdirSync(options.templateRoot)).toHaveLength(1);
    const db = openDatabase(a);
    db.exec("CREATE TABLE only_in_a (x INTEGER)");
    db.close();
    const other = openDatabase(b);
    expect(() => other.prepare("SELECT * FROM only_in_a").all()).toThrow(/no such table/);
    other.close();
  });

  it("copies the template to a later stack without running wrangler again", async () => {
    const later = join(scratch, "later");
    await prepareLocalDatabase(later, noWrangler);
    expect(appliedMigrations(later)).toEqual(expectedMigrations);
  });

  it("migrates a state directory that already has a database in place, keeping its data", async () => {
    const kept = join(scratch, "kept");
    await prepareLocalDatabase(kept, options);
    const db = openDatabase(kept);
    db.exec("CREATE TABLE kept_data (x INTEGER); INSERT INTO kept_data VALUES (42)");
    db.close();
    // It runs wrangler's migrate on it (here one that fails) instead of copying the template over it.
    await expect(prepareLocalDatabase(kept, noWrangler)).rejects.toThrow(/applying D1 migrations failed/);
    const after = openDatabase(kept);
    expect(after.prepare("SELECT x FROM kept_data").all()).toEqual([{ x: 42 }]);
    after.close();
  });

  it("with the real wrangler: the shared template every stack starts from has every migration", async () => {
    // The template startWorker uses: built here only if no stack of this run has built it yet.
    const real = join(scratch, "real");
    await prepareLocalDatabase(real, localDatabaseOptions());
    expect(appliedMigrations(real)).toEqual(expectedMigrations);
  });
});
