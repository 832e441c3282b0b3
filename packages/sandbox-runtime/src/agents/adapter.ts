/**
 * The port every agent CLI implements. An adapter knows three things about its CLI: how to
 * launch it for one turn (arguments and environment), where its binary comes from, and how to
 * read its stdout (a per-turn parser turning one output line into normalized events). Running
 * the process — group, limits, cancellation, `turn.end` — is the turn runner's job, the same
 * for every CLI. Adding a CLI is one file exporting an `AgentAdapter`, plus the registry line.
 */
import type { AgentEvent, AgentName } from "@nightshift/protocol";
import type { TurnRequest } from "./contract";

/** Where the CLI's executable comes from and what to tell someone who does not have it. */
export interface AgentBinary {
  /** The executable's name, e.g. "claude". */
  name: string;
  /** The npm package whose `bin` provides it, resolved from the runtime's node_modules first. */
  npmPackage?: string;
  /** A human instruction to install it, for the "not found" error. */
  install: string;
}

/** How to start one turn. */
export interface AgentLaunch {
  args: string[];
  /** The CLI's own variables; the runner adds the allowlisted base, then the request's env over these. */
  env: Record<string, string>;
  /** The CLI session id when known before the start (chosen up front, or the one being resumed). */
  sessionId?: string;
  /**
   * Text written to the CLI's stdin, then end-of-file; absent means stdin is /dev/null. For a CLI
   * that would alter the prompt on argv (OpenCode quotes every argument holding a space), and for
   * a prompt too long for argv (promptTooLongForArgv).
   */
  stdin?: string;
}

/**
 * Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN: the CLI would not even start), and
 * a prompt may be 100,000 characters of any script; above this many bytes it goes on stdin.
 */
export const ARGV_PROMPT_MAX_BYTES = 100_000;

export function promptTooLongForArgv(prompt: string): boolean {
  return Buffer.byteLength(prompt) > ARGV_PROMPT_MAX_BYTES;
}

/** What the parser concluded once the CLI's output ended. */
export interface TurnVerdict {
  /** The CLI printed its terminal record; without it the turn crashed or was stopped. */
  finished: boolean;
  /** The CLI reported a failure; the parser has already emitted an `error` event saying why. */
  failed: boolean;
  sessionId?: string;
  /** The agent's final message. */
  summary?: string;
  /** Tool calls that started but got no result (the turn was stopped or crashed mid-tool). */
  unfinishedTools: { toolId: string; name: string }[];
}

/** Reads one turn's stdout. Stateful (pairs tool calls with results); must never throw. */
export interface TurnParser {
  /** One stdout line (without its newline) → the normalized events it carries, maybe none. */
  parseLine(line: string): AgentEvent[];
  /**
   * One stderr line, for a CLI that prints part of a failure only there (Gemini CLI: the HTTP
   * status of a failed model call). Optional. The runner forwards stderr as `log` events unless
   * this returns false (the CLI's own stack frames: internals, not news for anyone watching).
   */
  noteStderrLine?(line: string): boolean | undefined;
  finish(): TurnVerdict;
}

/**
 * Where a CLI keeps its saved conversations, so a session can resume on a new sandbox: the
 * runtime archives every regular file under `directory` after each turn and writes them back
 * there (same relative paths) before a resumed sandbox's first turn.
 */
export interface AgentConversationFiles {
  /** An absolute directory under the CLI's HOME. */
  directory: string;
  /** Whether the files (paths relative to `directory`) hold the CLI session `sessionId`, so resuming it can work. */
  holdsSession(files: readonly string[], sessionId: string): boolean;
}

export interface AgentAdapter {
  readonly agent: AgentName;
  /** For messages: "Claude Code". */
  readonly displayName: string;
  readonly binary: AgentBinary;
  /** Creates what the CLI expects to exist before it starts (config directories). */
  prepare?(request: TurnRequest): Promise<void>;
  launch(request: TurnRequest): AgentLaunch;
  createParser(request: TurnRequest, launch: AgentLaunch): TurnParser;
  /** The CLI's saved conversations under `home`; absent when the CLI cannot resume on a new sandbox. */
  conversationFiles?(home: string): AgentConversationFiles;
}
