/** Which control plane a command talks to, with which key: flags, then environment, then config. */
import { createClient, type NightshiftClient } from "@nightshift/client";
import { configPath, DEFAULT_URL, normalizeUrl, readConfig } from "./config.ts";
import { CliError, EXIT } from "./exit-codes.ts";

export interface GlobalOptions {
  url?: string;
}

export interface Target {
  baseUrl: string;
  apiKey: string | undefined;
}

/** `--url`, else NIGHTSHIFT_URL, else the URL last logged in to, else the local dev address. */
export function resolveTarget(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Target {
  const config = readConfig(configPath(env));
  // An empty variable counts as unset, as shells and CI systems often export one.
  const baseUrl = normalizeUrl(globals.url || env.NIGHTSHIFT_URL?.trim() || config.current || DEFAULT_URL);
  const apiKey = env.NIGHTSHIFT_API_KEY?.trim() || config.servers[baseUrl]?.apiKey;
  return { baseUrl, apiKey };
}

export function connect(globals: GlobalOptions): {
  client: NightshiftClient;
  baseUrl: string;
  /** The credentials the client sends, for a request made without it (tail's first page). */
  headers: Record<string, string>;
} {
  const { baseUrl, apiKey } = resolveTarget(globals);
  if (!apiKey) {
    throw new CliError(
      EXIT.auth,
      `not signed in to ${baseUrl}: run \`nightshift login\` (or set NIGHTSHIFT_API_KEY)`,
    );
  }
  const client = createClient({ baseUrl, apiKey });
  return { client, baseUrl, headers: { authorization: `Bearer ${apiKey}` } };
}
