/**
 * The master-key rotation port over `wrangler d1 execute`, for the operator's rotation command:
 * the same compare-and-set SQL against the local (wrangler dev) database or the deployed one
 * (`--remote`). Node only; never imported by the Worker.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { DataKeyChange, DataKeyStore } from "../secrets/rotation.ts";

export interface WranglerD1Target {
  database: string;
  configPath: string;
  remote: boolean;
  /** Local state directory (wrangler's --persist-to), when not the default .wrangler/state. */
  persistTo?: string | undefined;
}

const ExecuteOutput = z.array(z.object({ results: z.array(z.record(z.string(), z.unknown())).default([]) }));
const DataKeyRow = z.object({ tenant_id: z.string(), kid: z.string(), wrapped_key: z.string() });

/** Statements per wrangler call: keeps each command line far below the OS argument limit. */
const CHUNK = 50;

function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function wranglerBin(): string {
  const pkg = createRequire(import.meta.url).resolve("wrangler/package.json");
  return join(dirname(pkg), "bin", "wrangler.js");
}

function execute(target: WranglerD1Target, sql: string): Promise<z.infer<typeof ExecuteOutput>> {
  const args = [wranglerBin(), "d1", "execute", target.database, target.remote ? "--remote" : "--local"];
  args.push("--json", "--config", target.configPath, "--command", sql);
  if (target.persistTo) args.push("--persist-to", target.persistTo);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: dirname(target.configPath),
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      },
      (err, stdout, stderr) => {
        if (err) {
          const tail = `${stderr}\n${stdout}`.trim().split("\n").slice(-4).join(" | ");
          reject(
            new Error(
              `wrangler d1 execute failed (${tail}); check the database name, --local/--remote and your Cloudflare login`,
            ),
          );
          return;
        }
        const parsed = ExecuteOutput.safeParse(JSON.parse(stdout.slice(stdout.indexOf("["))));
        if (!parsed.success) reject(new Error("wrangler d1 execute printed an unexpected result"));
        else resolve(parsed.data);
      },
    );
  });
}

export function wranglerDataKeyStore(target: WranglerD1Target): DataKeyStore {
  return {
    async listNotWrappedBy(kid) {
      const [out] = await execute(
        target,
        `SELECT tenant_id, kid, wrapped_key FROM tenant_data_keys WHERE kid <> ${quote(kid)} ORDER BY tenant_id`,
      );
      return (out?.results ?? []).map((r) => {
        const row = DataKeyRow.parse(r);
        return { tenantId: row.tenant_id, kid: row.kid, wrappedKey: row.wrapped_key };
      });
    },
    async replaceAll(changes: DataKeyChange[], now: string) {
      const swapped = new Set<string>();
      for (let i = 0; i < changes.length; i += CHUNK) {
        const statements = changes
          .slice(i, i + CHUNK)
          .map(
            (c) =>
              `UPDATE tenant_data_keys SET kid = ${quote(c.to.kid)}, wrapped_key = ${quote(c.to.wrappedKey)}, rotated_at = ${quote(now)} ` +
              `WHERE tenant_id = ${quote(c.tenantId)} AND kid = ${quote(c.from.kid)} AND wrapped_key = ${quote(c.from.wrappedKey)} RETURNING tenant_id`,
          );
        for (const result of await execute(target, statements.join(";\n"))) {
          for (const row of result.results) if (typeof row.tenant_id === "string") swapped.add(row.tenant_id);
        }
      }
      return swapped;
    },
  };
}
