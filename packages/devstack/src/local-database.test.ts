import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { prepareLocalDatabase } from "./local-database";
import { REPO_ROOT, wranglerBin, wranglerEnv } from "./worker";

const scratch = mkdtempSync(join(tmpdir(), "ns-local-db-test-"));
const options = {
  repoRoot: REPO_ROOT,
  wranglerBin: wranglerBin(),
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

const expectedMigrations = readdirSync(join(REPO_ROOT, "migrations"))
  .filter((name) => name.endsWith(".sql"))
  .sort();

describe("the local D1 a stack starts with", () => {
  it("is migrated once for stacks starting together, and each gets its own copy", async () => {
    const [a, b] = [join(scratch, "a"), join(scratch, "b")];
    await Promise.all([prepareLocalDatabase(a, options), prepareLocalDatabase(b, options)]);
    expect(appliedMigrations(a)).toEqual(expectedMigrations);
    expect(appliedMigrations(b)).toEqual(expectedMigrations);
    // One template, no half-built leftovers from the race.
    expect(readdirSync(options.templateRoot)).toHaveLength(1);
    const db = openDatabase(a);
    db.exec("CREATE TABLE only_in_a (x INTEGER)");
    db.close();
    const other = openDatabase(b);
    expect(() => other.prepare("SELECT * FROM only_in_a").all()).toThrow(/no such table/);
    other.close();
  });

  it("copies the template to a later stack without running wrangler again", async () => {
    const c = join(scratch, "c");
    await prepareLocalDatabase(c, noWrangler);
    expect(appliedMigrations(c)).toEqual(expectedMigrations);
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
});
