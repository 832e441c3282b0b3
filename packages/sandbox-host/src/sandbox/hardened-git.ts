/**
 * git as the host runs it on repositories a sandbox could have written to: no system or global
 * configuration, no hooks, no fsmonitor, no maintenance, no transport but local files, no prompt.
 * The settings travel as GIT_CONFIG_* variables (command-line scope), which repository config
 * cannot override. git clears those variables for the upload-pack it starts on the other side of
 * a local fetch, so that process gets the same settings on its own command line
 * (`hardenedUploadPack`).
 */
import { runCommand } from "./run-command";

const HARDENING: readonly (readonly [string, string])[] = [
  ["core.hooksPath", "/dev/null"],
  ["core.fsmonitor", "false"],
  ["core.untrackedCache", "false"],
  ["gc.auto", "0"],
  ["maintenance.auto", "false"],
  ["protocol.allow", "never"],
  ["protocol.file.allow", "always"],
  ["fetch.recurseSubmodules", "false"],
  ["transfer.fsckObjects", "true"],
];

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The hardening plus `safe.directory` for each of `trustedPaths`. */
function settingsFor(trustedPaths: readonly string[]): (readonly [string, string])[] {
  return [...HARDENING, ...trustedPaths.map((path) => ["safe.directory", path] as const)];
}

/** The `--upload-pack` command of a hardened fetch from a repository the sandbox could write. */
export function hardenedUploadPack(trustedPaths: readonly string[]): string {
  const settings = settingsFor(trustedPaths);
  return [
    "git",
    ...settings.flatMap(([key, value]) => ["-c", shellQuote(`${key}=${value}`)]),
    "upload-pack",
  ].join(" ");
}

export interface HardenedGitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `git args` with the hardening above. `trustedPaths` are repositories owned by another uid
 * (the sandbox's mirror) that git may open anyway: the hardening is what makes that safe.
 */
export async function hardenedGit(
  args: readonly string[],
  options: { trustedPaths?: readonly string[]; timeoutMs?: number } = {},
): Promise<HardenedGitResult> {
  const env = hardenedGitEnv(options.trustedPaths ?? []);
  const result = await runCommand("git", args, options.timeoutMs ?? 60_000, { env });
  return { ok: result.code === 0, stdout: result.stdout, stderr: result.stderr.trim() };
}

/**
 * The whole environment of a hardened git process (git-service.ts spawns upload-pack and
 * receive-pack with it): nothing from the host's or a request's environment but PATH.
 */
export function hardenedGitEnv(trustedPaths: readonly string[]): Record<string, string> {
  const settings = settingsFor(trustedPaths);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    HOME: "/nonexistent",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_NO_LAZY_FETCH: "1",
    GIT_PROTOCOL_FROM_USER: "0",
    GIT_CONFIG_COUNT: String(settings.length),
  };
  settings.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}
