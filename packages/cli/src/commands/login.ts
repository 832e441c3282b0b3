/**
 * `nightshift login`: stores an API key for a control plane after checking it works. With
 * `--api-key` the key comes from the flag; otherwise the CLI points at the page that creates one
 * and reads it from the terminal (hidden) or from stdin.
 */
import { createClient } from "@nightshift/client";
import { API_KEY_PREFIX } from "@nightshift/protocol";
import type { Command } from "commander";
import { configPath, readConfig, writeConfig } from "../config.ts";
import { type GlobalOptions, resolveTarget } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { readValue } from "../io.ts";
import type { Runner } from "../runner.ts";

export function registerLogin(program: Command, run: Runner): void {
  program
    .command("login")
    .description("store an API key for the control plane (checked before it is kept)")
    .option("--api-key <key>", "the key (nsk_...); without it the CLI asks for one")
    .action((opts: { apiKey?: string }, cmd: Command) =>
      run(async () => {
        const globals = cmd.optsWithGlobals<GlobalOptions>();
        const { baseUrl } = resolveTarget(globals, { ...process.env, NIGHTSHIFT_API_KEY: "" });
        let key = opts.apiKey?.trim();
        if (!key) {
          process.stderr.write(
            `Create an API key in Settings → API keys at ${baseUrl}/settings/api-keys (signed in), then paste it here.\n`,
          );
          key = (await readValue("API key: ")).trim();
        }
        if (!key.startsWith(API_KEY_PREFIX)) {
          throw new CliError(
            EXIT.usage,
            `that is not an API key: Nightshift keys start with '${API_KEY_PREFIX}'`,
          );
        }
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
