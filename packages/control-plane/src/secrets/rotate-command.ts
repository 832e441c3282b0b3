/**
 * The master-key rotation command (run with Node ≥ 22.18, which runs TypeScript directly):
 *
 *   node packages/control-plane/src/secrets/rotate-command.ts --local
 *   SECRETS_MASTER_KEYS='new:…,old:…' node packages/control-plane/src/secrets/rotate-command.ts --remote
 *
 * Put the new key first in SECRETS_MASTER_KEYS (keep the old one after it), deploy, run this,
 * then remove the old key. It re-wraps each tenant's data key under the new master key; sealed
 * values are never touched. With --local and no SECRETS_MASTER_KEYS in the environment, the
 * keys are read from .dev.vars at the repository root. It prints key ids, never key material.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs, parseEnv } from "node:util";
import { wranglerDataKeyStore } from "../db/wrangler-data-key-store.ts";
import { loadKeyring } from "./keyring.ts";
import { rewrapAllDataKeys } from "./rotation.ts";

const ROOT = resolve(import.meta.dirname, "../../../..");

/** A variable from the repository's .dev.vars (dotenv syntax: quotes, comments, `export`). */
function fromDevVars(name: string): string | undefined {
  const file = join(ROOT, ".dev.vars");
  if (!existsSync(file)) return undefined;
  return parseEnv(readFileSync(file, "utf8"))[name];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      local: { type: "boolean", default: false },
      remote: { type: "boolean", default: false },
      database: { type: "string", default: "nightshift" },
      config: { type: "string", default: join(ROOT, "wrangler.toml") },
      "persist-to": { type: "string" },
    },
  });
  if (values.local === values.remote) {
    console.error("say which database: --local (wrangler dev's) or --remote (the deployed one)");
    return 2;
  }
  const spec =
    process.env.SECRETS_MASTER_KEYS ?? (values.local ? fromDevVars("SECRETS_MASTER_KEYS") : undefined);
  const ring = await loadKeyring(spec);
  const others = [...ring.keys.keys()].filter((k) => k !== ring.currentKid);
  console.log(
    `re-wrapping tenant data keys under master key '${ring.currentKid}' (also known: ${others.join(", ") || "none"})`,
  );
  const store = wranglerDataKeyStore({
    database: values.database,
    configPath: resolve(values.config),
    remote: values.remote,
    persistTo: values["persist-to"],
  });
  const report = await rewrapAllDataKeys(store, ring, (done, total) => {
    if (done === total || done % 25 === 0) console.log(`  ${done}/${total} data keys re-wrapped in memory`);
  });
  console.log(
    `done: ${report.rewrapped} re-wrapped, ${report.skipped} changed meanwhile (run again), ${report.failed.length} failed`,
  );
  for (const f of report.failed) console.error(`  tenant ${f.tenantId}: ${f.error}`);
  if (report.failed.length > 0) {
    console.error("keep the old key(s) in SECRETS_MASTER_KEYS until every tenant is re-wrapped");
    return 1;
  }
  if (report.skipped === 0)
    console.log(`no data key needs ${others.join(", ") || "another key"} any more: you may remove it`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
