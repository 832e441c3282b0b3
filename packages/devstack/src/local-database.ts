/**
 * The Worker's local D1, migrated. Applying the migrations costs a `wrangler d1 migrations apply`
 * (a Node process and a workerd, ~10 s of CPU): every stack of the e2e and browser suites paid it.
 * A fresh state directory now gets a copy of a database migrated once per set of migrations; a
 * directory that already holds a database (`make dev`'s persistent state) is migrated in place,
 * so it keeps its data and receives only the migrations it lacks.
 */
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import { startProcess } from "./processes";

export interface LocalDatabaseOptions {
  /** The repository root: wrangler.toml, migrations/ and the wrangler binary are found from it. */
  repoRoot: string;
  wranglerBin: string;
  wranglerEnv: Record<string, string>;
  /** Where migrated templates are kept (one subdirectory per set of migrations). */
  templateRoot: string;
}

/** Where wrangler keeps local D1 databases under a persist directory. */
const D1_SUBDIR = join("v3", "d1");
const LOCK_STALE_MS = 30_000;
const LOCK_POLL_MS = 250;
/** Long enough for a migration on a loaded machine (tens of seconds); a stuck holder goes stale first. */
const LOCK_WAIT_MS = 300_000;

async function migrateLocalDatabase(persistDir: string, options: LocalDatabaseOptions): Promise<void> {
  mkdirSync(persistDir, { recursive: true });
  const migrate = startProcess(
    "migrate",
    options.wranglerBin,
    ["d1", "migrations", "apply", "nightshift", "--local", "--persist-to", persistDir],
    { cwd: options.repoRoot, env: { ...options.wranglerEnv, CI: "true" } },
  );
  const code = await new Promise<number | null>((r) => migrate.child.once("exit", (c) => r(c)));
  if (code !== 0) throw new Error(`applying D1 migrations failed:\n${migrate.recentOutput()}`);
}

/** Gives `persistDir` a migrated local D1: a copy of the shared template when it has none yet. */
export async function prepareLocalDatabase(persistDir: string, options: LocalDatabaseOptions): Promise<void> {
  if (existsSync(join(persistDir, D1_SUBDIR))) {
    await migrateLocalDatabase(persistDir, options);
    return;
  }
  const template = await migratedTemplate(options);
  mkdirSync(persistDir, { recursive: true });
  cpSync(join(template, D1_SUBDIR), join(persistDir, D1_SUBDIR), { recursive: true });
}

/**
 * A persist directory holding only a migrated D1, named for what decides its content (the
 * migrations, wrangler.toml's database, wrangler's version), so a changed migration gets a new one.
 * One process builds it while stacks starting beside it (make test's devstack lanes start
 * together) wait on a lock file for it, instead of each running a migration of its own. It is built
 * beside its final name and renamed into place (atomic), so a process that does not take the lock
 * never sees half of one.
 */
async function migratedTemplate(options: LocalDatabaseOptions): Promise<string> {
  const root = options.templateRoot;
  const template = join(root, templateKey(options));
  if (existsSync(template)) return template;
  mkdirSync(root, { recursive: true });
  // The holder refreshes the lock while it migrates; one left by a killed process is stale after 30 s.
  const release = await lock(root, {
    lockfilePath: `${template}.lock`,
    stale: LOCK_STALE_MS,
    retries: { retries: LOCK_WAIT_MS / LOCK_POLL_MS, minTimeout: LOCK_POLL_MS, maxTimeout: LOCK_POLL_MS },
  });
  try {
    if (existsSync(template)) return template;
    const building = mkdtempSync(join(root, "building-"));
    try {
      await migrateLocalDatabase(building, options);
      renameSync(building, template);
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
    return template;
  } finally {
    await release();
  }
}

function templateKey(options: LocalDatabaseOptions): string {
  const hash = createHash("sha256");
  const migrationsDir = join(options.repoRoot, "migrations");
  for (const name of readdirSync(migrationsDir)
    .filter((n) => n.endsWith(".sql"))
    .sort()) {
    hash
      .update(name)
      .update("\0")
      .update(readFileSync(join(migrationsDir, name)))
      .update("\0");
  }
  hash.update(readFileSync(join(options.repoRoot, "wrangler.toml")));
  hash.update(readFileSync(createRequire(import.meta.url).resolve("wrangler/package.json")));
  return hash.digest("hex").slice(0, 16);
}
