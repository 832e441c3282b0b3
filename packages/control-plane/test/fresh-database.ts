/**
 * Runs before every test file. The files share one workerd (vitest.config.ts: `isolate: false`),
 * so D1 and the test helpers' module state outlive a file: each file starts from the migrated
 * schema with every row of the files before it deleted, as if its database were new, and makes its
 * own default caller (an API key in that database).
 */
import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { forgetDefaultIdentity } from "./helpers";

const migrations = (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS;
await applyD1Migrations(env.DB, migrations);

const { results: tables } = await env.DB.prepare(
  "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
).all<{ name: string }>();
// One transaction; foreign keys are checked at its end, when every table is empty.
await env.DB.batch([
  env.DB.prepare("PRAGMA defer_foreign_keys = on"),
  ...tables.map(({ name }) => env.DB.prepare(`DELETE FROM "${name}"`)),
]);
forgetDefaultIdentity();
