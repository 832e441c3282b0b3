#!/usr/bin/env node
// Run by `make deploy` before anything is built or applied: refuses a laptop-mode configuration.
// Usage: node scripts/check-deploy-config.mjs [--config wrangler.toml] [--env <name>] [--var KEY:VALUE]...
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkDeployConfig, parseVarOverrides } from "../packages/control-plane/src/deploy/deploy-config.ts";

const { values } = parseArgs({
  options: {
    config: { type: "string", default: resolve(import.meta.dirname, "../wrangler.toml") },
    env: { type: "string" },
    var: { type: "string", multiple: true, default: [] },
  },
});
const env = values.env || undefined;
const result = checkDeployConfig(readFileSync(values.config, "utf8"), {
  env,
  overrides: parseVarOverrides(values.var),
  // The App key is a secret (wrangler secret put); when the deploying shell holds it, check its format too.
  secrets: { GITHUB_APP_PRIVATE_KEY: process.env.GITHUB_APP_PRIVATE_KEY },
});
for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
if (result.problems.length > 0) {
  process.stderr.write(`refusing to deploy ${values.config}${env ? ` (--env ${env})` : ""}:\n`);
  for (const problem of result.problems) process.stderr.write(`  - ${problem}\n`);
  process.exit(1);
}
process.stdout.write(`deploy configuration checked: ${values.config}${env ? ` (--env ${env})` : ""}\n`);
