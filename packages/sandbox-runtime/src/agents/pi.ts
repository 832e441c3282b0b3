/**
 * The Pi adapter (@mariozechner/pi-coding-agent, binary `pi`): launches
 * `pi --mode json --model nightshift-<api>/<model> … -p <prompt>` with its configuration in the
 * private HOME (pi-home.ts) and reads its JSON lines (pi-parser.ts).
 *
 * Headless: print mode, stdin at end-of-file (Pi prepends piped stdin to the prompt; the runner
 * gives it /dev/null, or a prompt too long for argv, see promptTooLongForArgv), offline (no update check, no telemetry), no extension, skill, prompt
 * template or theme discovery — from HOME or from the repository's `.pi/` — except the one
 * extension Nightshift writes. Context files (AGENTS.md) are read as the user expects.
 *
 * The prompt: Pi's argument parser has no `--`; after `-p` it takes the next argument as the
 * message only when it starts with neither "-" (unless "---") nor "@" — otherwise it would be read
 * as an option or an `@file` to include. Such a prompt is passed with one leading space (still one
 * argv element, read by no shell) and the Nightshift extension removes that space before the
 * model sees it, so the model gets the prompt verbatim either way.
 *
 * Sessions: Pi chooses the id (the `session` line); `--session <id>` resumes an existing one.
 * They are kept in `--session-dir` under HOME, one `<timestamp>_<id>.jsonl` each, whatever the
 * repository's `.pi/settings.json` says (the flag wins over the settings).
 */
import { basename } from "node:path";
import { type AgentAdapter, type AgentLaunch, promptTooLongForArgv } from "./adapter";
import {
  PI_SESSION_ID,
  piAgentDir,
  piExtensionPath,
  piModelOf,
  piSessionDir,
  preparePiHome,
} from "./pi-home";
import { PiParser } from "./pi-parser";

/** Whether Pi's parser would read `prompt`, right after `-p`, as something other than the message. */
export function piMisreadsPrompt(prompt: string): boolean {
  return prompt.startsWith("@") || (prompt.startsWith("-") && !prompt.startsWith("---"));
}

/** The argv element carrying the prompt (see the file comment). */
export function piPromptArgument(prompt: string): string {
  return piMisreadsPrompt(prompt) ? ` ${prompt}` : prompt;
}

/** A prompt too long for argv goes on stdin, which Pi reads in print mode — trimmed of surrounding whitespace, all it changes. */
const onStdin = promptTooLongForArgv;

export const pi: AgentAdapter = {
  agent: "pi",
  displayName: "Pi",
  binary: {
    name: "pi",
    npmPackage: "@mariozechner/pi-coding-agent",
    install:
      "run `pnpm install` in the Nightshift checkout (packages/sandbox-runtime depends on @mariozechner/pi-coding-agent), or `npm install -g @mariozechner/pi-coding-agent@0.73.1`",
  },

  async prepare(request) {
    await preparePiHome(request, !onStdin(request.text) && piMisreadsPrompt(request.text));
  },

  launch(request): AgentLaunch {
    const model = piModelOf(request);
    const resume =
      request.resumeSessionId && PI_SESSION_ID.test(request.resumeSessionId)
        ? request.resumeSessionId
        : undefined;
    const args = [
      "--mode",
      "json",
      "--offline",
      "--no-extensions",
      "--extension",
      piExtensionPath(request.home),
      "--no-skills",
      "--no-prompt-templates",
      "--no-themes",
      "--session-dir",
      piSessionDir(request.home),
      "--model",
      `${model.piProvider}/${model.id}`,
      ...(resume ? ["--session", resume] : []),
      "-p",
      ...(onStdin(request.text) ? [] : [piPromptArgument(request.text)]),
    ];
    const env = {
      PI_CODING_AGENT_DIR: piAgentDir(request.home),
      PI_OFFLINE: "1",
      PI_SKIP_VERSION_CHECK: "1",
      PI_TELEMETRY: "0",
    };
    return {
      args,
      env,
      ...(resume ? { sessionId: resume } : {}),
      ...(onStdin(request.text) ? { stdin: request.text } : {}),
    };
  },

  createParser(request, launch) {
    return new PiParser(request, launch.sessionId);
  },

  // `--session-dir` keeps every session as `<timestamp>_<session id>.jsonl` directly in it, so
  // `--session <id>` finds a restored one whatever the cwd.
  conversationFiles(home) {
    return {
      directory: piSessionDir(home),
      holdsSession: (files, sessionId) =>
        files.some((file) => basename(file).endsWith(`_${sessionId}.jsonl`)),
    };
  },
};
