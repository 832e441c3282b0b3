/**
 * How the runtime runs git: in the workdir, never prompting, with output in the C locale (it is
 * parsed), and trusting repositories owned by another uid (a local repository bound into the
 * sandbox usually belongs to the person running Nightshift, not to the sandbox's user).
 */
import { type CommandResult, type RunCommandOptions, runCommand } from "../process/run-command";

export type Git = (
  args: readonly string[],
  options?: Omit<RunCommandOptions, "cwd" | "env">,
) => Promise<CommandResult>;

export function gitEnvironment(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...base,
    ...extra,
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    LC_ALL: "C",
    // Command-line level config (honoured for safe.directory, unlike repository config), inherited by
    // the git processes git itself starts (upload-pack during a local clone).
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "safe.directory",
    GIT_CONFIG_VALUE_0: "*",
  };
}

export function createGit(cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 10 * 60_000): Git {
  return (args, options = {}) => runCommand("git", args, { timeoutMs, ...options, cwd, env });
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
