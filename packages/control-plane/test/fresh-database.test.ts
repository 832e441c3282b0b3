/**
 * The files share one workerd (vitest.config.ts: `isolate: false`); test/fresh-database.ts must
 * still give each file an empty database and a default caller of its own. Run after any other
 * file (as in the whole suite), the first test sees what that file left behind if the reset broke;
 * the second runs the setup again itself, so it checks the reset even when this file runs alone.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, createTenant, defaultIdentity } from "./helpers";

async function rowCounts(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
  ).all<{ name: string }>();
  const counts: Record<string, number> = {};
  for (const { name } of results) {
    const row = await env.DB.prepare(`SELECT count(*) AS n FROM "${name}"`).first<{ n: number }>();
    counts[name] = row?.n ?? -1;
  }
  return counts;
}

describe("each test file's database", () => {
  it("starts with the schema and no rows from the files before it", async () => {
    const counts = await rowCounts();
    expect(Object.keys(counts)).toEqual(expect.arrayContaining(["tenants", "users", "sessions", "api_keys"]));
    expect(Object.entries(counts).filter(([, n]) => n !== 0)).toEqual([]);
  });

  it("is emptied again by the next file's setup, which makes that file a default caller of its own", async () => {
    const before = await defaultIdentity();
    await createTenant("left-behind");
    expect((await rowCounts()).tenants).toBeGreaterThan(0);
    // The setup module again, as the next file's setup runs it (a new module id re-executes it).
    const nextFileSetup = "./fresh-database.ts?next-file";
    await import(/* @vite-ignore */ nextFileSetup);
    expect(Object.entries(await rowCounts()).filter(([, n]) => n !== 0)).toEqual([]);
    const after = await defaultIdentity();
    expect(after.apiKey).not.toBe(before.apiKey);
    expect((await api("/api/v1/me")).status).toBe(200);
  });
});
