/**
 * What `make deploy` refuses: a Worker configuration that would run a shared deployment in
 * laptop mode. NIGHTSHIFT_MODE=local turns on the local tenant, local repositories and process
 * isolation; NIGHTSHIFT_DEV_LOGIN lets anyone who reaches loopback sign in as the owner. Read from
 * wrangler.toml's [vars] (or [env.<name>.vars] for `--env <name>`, which wrangler does not merge
 * with the top-level vars) plus the `--var KEY:VALUE` overrides wrangler would apply.
 */
import { parse } from "smol-toml";
import { normalizePrivateKey, PrivateKeyFormatError } from "../github/private-key.ts";

export interface DeployCheck {
  /** Reasons the deploy must stop; empty when it may go on. */
  problems: string[];
  /** Things worth saying that do not stop the deploy. */
  warnings: string[];
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function varsOf(config: Table, envName: string | undefined): { vars: Table; where: string } {
  if (!envName) return { vars: isTable(config.vars) ? config.vars : {}, where: "[vars]" };
  const envs = isTable(config.env) ? config.env : {};
  const section = envs[envName];
  if (!isTable(section)) throw new Error(`wrangler.toml has no [env.${envName}] section`);
  return { vars: isTable(section.vars) ? section.vars : {}, where: `[env.${envName}.vars]` };
}

export function checkDeployConfig(
  wranglerToml: string,
  options: {
    env?: string | undefined;
    overrides?: Record<string, string>;
    /** Secrets about to be put (e.g. from the deploying shell's environment), checked for format. */
    secrets?: Record<string, string | undefined>;
  } = {},
): DeployCheck {
  let config: Table;
  try {
    config = parse(wranglerToml) as Table;
  } catch (err) {
    return { problems: [`wrangler.toml is not valid TOML: ${(err as Error).message}`], warnings: [] };
  }
  let found: { vars: Table; where: string };
  try {
    found = varsOf(config, options.env);
  } catch (err) {
    return { problems: [(err as Error).message], warnings: [] };
  }
  const vars: Table = { ...found.vars, ...options.overrides };
  const problems: string[] = [];
  const warnings: string[] = [];
  const mode = vars.NIGHTSHIFT_MODE;
  if (mode === "local") {
    problems.push(
      `NIGHTSHIFT_MODE is "local" in ${found.where}: a deployment would accept local repositories, unisolated sandboxes and the local tenant; set NIGHTSHIFT_MODE = "cloud" (or deploy with an [env.<name>] whose vars say so)`,
    );
  }
  const devLogin = vars.NIGHTSHIFT_DEV_LOGIN;
  if (devLogin !== undefined && devLogin !== "" && devLogin !== "0") {
    problems.push(
      `NIGHTSHIFT_DEV_LOGIN is ${JSON.stringify(devLogin)} in ${found.where}: the dev login signs anyone in as the owner; remove it from the deployed configuration`,
    );
  }
  if (vars.ALLOW_PROCESS_ISOLATION === "1") {
    warnings.push(
      'ALLOW_PROCESS_ISOLATION is "1": sandboxes without bubblewrap will be accepted; every user of this deployment can run code as the sandbox host\'s user',
    );
  }
  problems.push(...appKeyProblems(vars, found.where, options.secrets ?? {}));
  return { problems, warnings };
}

/** A GitHub App key that would fail at the first token mint is refused here, named as malformed. */
function appKeyProblems(vars: Table, where: string, secrets: Record<string, string | undefined>): string[] {
  const candidates: [string, unknown][] = [
    [where, vars.GITHUB_APP_PRIVATE_KEY],
    ["the environment's secrets", secrets.GITHUB_APP_PRIVATE_KEY],
  ];
  const problems: string[] = [];
  for (const [source, key] of candidates) {
    if (typeof key !== "string" || key === "") continue;
    try {
      normalizePrivateKey(key);
    } catch (error) {
      if (!(error instanceof PrivateKeyFormatError)) throw error;
      problems.push(`${error.message} (from ${source})`);
    }
  }
  return problems;
}

/** `--var KEY:VALUE` arguments, as wrangler takes them. */
export function parseVarOverrides(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const colon = arg.indexOf(":");
    if (colon > 0) out[arg.slice(0, colon)] = arg.slice(colon + 1);
  }
  return out;
}
