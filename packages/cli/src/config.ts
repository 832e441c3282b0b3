/**
 * The CLI's own settings: `$XDG_CONFIG_HOME/nightshift/config.json` (else ~/.config/...), mode
 * 0600 because it holds API keys, one entry per control-plane URL and the URL used last.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { CliError, EXIT } from "./exit-codes.ts";

export const DEFAULT_URL = "http://127.0.0.1:8787";

const ServerEntry = z.object({
  apiKey: z.string().min(1),
  /** Who the key belongs to, as /me said when it was stored: shown, never trusted for access. */
  login: z.string().optional(),
  tenant: z.string().optional(),
});
export type ServerEntry = z.infer<typeof ServerEntry>;

const ConfigFile = z.object({
  current: z.string().optional(),
  servers: z.record(z.string(), ServerEntry).default({}),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(homedir(), ".config");
  return join(base, "nightshift", "config.json");
}

export function readConfig(path = configPath()): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { servers: {} };
    throw new CliError(EXIT.usage, `cannot read ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CliError(
      EXIT.usage,
      `${path} is not valid JSON; fix it or delete it and run \`nightshift login\``,
    );
  }
  const parsed = ConfigFile.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(
      EXIT.usage,
      `${path} is not a nightshift config; delete it and run \`nightshift login\``,
    );
  }
  return parsed.data;
}

/** Writes the whole file through a 0600 temp file and a rename, so no moment exposes a key. */
export function writeConfig(config: ConfigFile, path = configPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** The origin a URL names, the key under which its credentials are stored. */
export function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(
      EXIT.usage,
      `'${raw}' is not a URL; pass the control plane's address, e.g. ${DEFAULT_URL}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(EXIT.usage, `'${raw}' is not an http(s) URL`);
  }
  return url.origin;
}
