/**
 * `nightshift login`: stores an API key for a control plane after checking it works. By default
 * the key comes from a browser sign-in (device-login.ts); with `--api-key` from the flag, or from
 * stdin with `--api-key -` (so it stays out of shell history and the process list).
 */
import { createClient } from "@nightshift/client";
import { API_KEY_PREFIX } from "@nightshift/protocol";
import type { Command } from "commander";
import { configPath, readConfig, writeConfig } from "../config.ts";
import { type GlobalOptions, resolveTarget } from "../context.ts";
import { loginByBrowser } from "../device-login.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { readValue } from "../io.ts";
import type { Runner } from "../runner.ts";

interface LoginOptions {
  apiKey?: string;
  /** commander's `--no-browser`: false when given. */
  browser: boolean;
}

async function keyFrom(baseUrl: string, opts: LoginOptions): Promise<string> {
  if (opts.apiKey === undefined) return loginByBrowser(baseUrl, { openBrowser: opts.browser });
  const key = (opts.apiKey === "-" ? await readValue("API key: ") : opts.apiKey).trim();
  if (!key.startsWith(API_KEY_PREFIX)) {
    throw new CliError(EXIT.usage, `that is not an API key: Nightshift keys start with '${API_KEY_PREFIX}'`);
  }
  return key;
}

/** Checks the key with /me, then keeps it (mode 0600) as this control plane's credential. */
async function storeKey(baseUrl: string, key: string): Promise<void> {
  const me = await createClient({ baseUrl, apiKey: key }).me();
  const tenant = me.tenants.find((t) => t.id === me.apiKey?.tenantId) ?? me.tenants[0];
  const path = configPath();
  const config = readConfig(path);
  config.current = baseUrl;
  config.servers[baseUrl] = {
    apiKey: key,
    login: me.user.login,
    ...(tenant ? { tenant: tenant.slug } : {}),
  };
  writeConfig(config, path);
  process.stderr.write(
    `Logged in to ${baseUrl} as ${me.user.login}${tenant ? ` in tenant ${tenant.slug} (${tenant.role})` : ""}; key stored in ${path}\n`,
  );
}

export function registerLogin(program: Command, run: Runner): void {
  program
    .command("login")
    .description(
      "sign in: approve this terminal in the browser (default), or store an API key with --api-key",
    )
    .option(
      "--api-key <key>",
      "an API key (nsk_...) to store instead of signing in by browser; - reads it from stdin",
    )
    .option("--no-browser", "do not try to open a browser; just print the URL and the code")
    .addHelpText(
      "after",
      "\nThe browser sign-in prints a URL and a code; open it (signed in to the dashboard), check the code,\n" +
        "pick the tenant and role, and approve. The CLI then receives its own API key (90 days by default).",
    )
    .action((opts: LoginOptions, cmd: Command) =>
      run(async () => {
        const globals = cmd.optsWithGlobals<GlobalOptions>();
        const { baseUrl } = resolveTarget(globals, { ...process.env, NIGHTSHIFT_API_KEY: "" });
        await storeKey(baseUrl, await keyFrom(baseUrl, opts));
        return EXIT.ok;
      }),
    );

  program
    .command("logout")
    .description("forget the API key stored for the control plane")
    .action((_opts: unknown, cmd: Command) =>
      run(async () => {
        const { baseUrl } = resolveTarget(cmd.optsWithGlobals<GlobalOptions>());
        const path = configPath();
        const config = readConfig(path);
        const had = baseUrl in config.servers;
        delete config.servers[baseUrl];
        writeConfig(config, path);
        process.stderr.write(had ? `Forgot the key for ${baseUrl}\n` : `No key was stored for ${baseUrl}\n`);
        return EXIT.ok;
      }),
    );
}
