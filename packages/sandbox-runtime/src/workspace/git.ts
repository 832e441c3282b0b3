/**
 * How the runtime runs git. The clone is the agent's to write between turns, so nothing in it is
 * trusted: every runtime git command starts from a clean environment (an allowlist, no system or
 * global config), gets its safety settings as command-level config (which outranks the
 * repository's), and — for the session's clone — runs only after the clone's own config has been
 * reset to the canonical one (see git-guard.ts). The credential variables reach only the commands
 * that talk to the remote, and are read when the command starts (the sandbox token is renewed
 * while the session lives).
 */
import { PROXY_VARIABLES } from "../process/proxy-variables";
import { type CommandResult, type RunCommandOptions, runCommand } from "../process/run-command";
import { guardGitDir } from "./git-guard";

export interface GitOptions extends Omit<RunCommandOptions, "cwd" | "env"> {
  /** The command talks to the remote: give it the credential helper and its variables. */
  credentials?: boolean;
}

export type Git = (args: readonly string[], options?: GitOptions) => Promise<CommandResult>;

/** The environment of one git command. */
export type GitEnvironment = (withCredentials: boolean) => NodeJS.ProcessEnv;

export type CredentialVariables = Record<string, string>;

export interface GitEnvironmentOptions {
  /** Read per command: the credential helper's variables (control plane URL, current token, repo). */
  credentials?: CredentialVariables | (() => CredentialVariables);
  /** The credential.helper value (`!node runtime.mjs git-credential`), given only on the command line. */
  credentialHelper?: string;
}

/** Variables git and the programs it starts may inherit from the runtime. */
const GIT_INHERITED = [
  "PATH",
  "HOME",
  "LANG",
  "TZ",
  "TMPDIR",
  ...PROXY_VARIABLES,
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GIT_SSL_CAINFO",
] as const;

/**
 * Command-level config for every runtime git command. Hooks, fsmonitor and submodule recursion
 * would run programs the repository chose; only the transports the runtime uses are allowed.
 * `safe.directory` trusts a local repository bound in from another uid.
 */
const SAFETY_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ["safe.directory", "*"],
  ["core.hooksPath", "/dev/null"],
  ["core.fsmonitor", "false"],
  ["core.untrackedCache", "false"],
  ["submodule.recurse", "false"],
  ["diff.ignoreSubmodules", "all"],
  ["push.recurseSubmodules", "no"],
  ["fetch.recurseSubmodules", "false"],
  ["protocol.allow", "never"],
  ["protocol.https.allow", "always"],
  ["protocol.http.allow", "always"],
  ["protocol.file.allow", "always"],
  ["commit.gpgsign", "false"],
  ["tag.gpgsign", "false"],
];

function configVariables(entries: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], index) => {
    out[`GIT_CONFIG_KEY_${index}`] = key;
    out[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return out;
}

export function gitEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  options: GitEnvironmentOptions = {},
): GitEnvironment {
  const inherited: Record<string, string> = {};
  for (const name of GIT_INHERITED) {
    const value = base[name];
    if (value !== undefined) inherited[name] = value;
  }
  inherited.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  const fixed = {
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    LC_ALL: "C",
  };
  return (withCredentials) => {
    if (!withCredentials || !options.credentialHelper) {
      // An empty helper list: a remote that asks for a password gets none.
      return { ...inherited, ...fixed, ...configVariables([...SAFETY_CONFIG, ["credential.helper", ""]]) };
    }
    const credentials =
      typeof options.credentials === "function" ? options.credentials() : (options.credentials ?? {});
    return {
      ...inherited,
      ...credentials,
      ...fixed,
      // The empty value clears any helper configured elsewhere; only ours answers.
      ...configVariables([
        ...SAFETY_CONFIG,
        ["credential.helper", ""],
        ["credential.helper", options.credentialHelper],
        ["credential.useHttpPath", "true"],
      ]),
    };
  };
}

export interface CreateGitOptions {
  /**
   * The session's repository URL: `cwd` is its clone. Before every command the clone's config is
   * reset to the canonical one (origin = this URL) and git is pointed at `cwd/.git` explicitly.
   */
  repoUrl?: string;
  timeoutMs?: number;
}

export function createGit(cwd: string, env: GitEnvironment, options: CreateGitOptions = {}): Git {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const { repoUrl } = options;
  return async (args, { credentials = false, ...rest } = {}) => {
    let prefix: string[] = [];
    if (repoUrl !== undefined) {
      const guarded = guardGitDir(cwd, repoUrl);
      if (!guarded.ok) {
        return { code: null, signal: null, stdout: "", stderr: guarded.reason, timedOut: false };
      }
      prefix = [`--git-dir=${guarded.gitDir}`, `--work-tree=${cwd}`];
    }
    return runCommand("git", [...prefix, ...args], { timeoutMs, ...rest, cwd, env: env(credentials) });
  };
}

/** The last lines of git's stderr, for an error message (git's own words are the most useful hint). */
export function gitErrorText(result: CommandResult): string {
  if (result.timedOut) return "git timed out";
  const lines = result.stderr
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter(
      (line) =>
        line.length > 0 &&
        !/^(remote: )?(Counting|Compressing|Receiving|Resolving|Enumerating|Writing|Total)\b/.test(line),
    );
  return lines.slice(-4).join(" / ") || `git exited with code ${result.code}`;
}
