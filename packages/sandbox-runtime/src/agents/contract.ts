/**
 * The contract between the runtime's main loop and the agent layer. The main loop calls
 * `runTurn` once per prompt; an adapter per CLI (one file each) knows how to launch it and
 * read its output. This file is the fixed surface; implementations live beside it.
 */
import type { AgentEvent, AgentName } from "@nightshift/protocol";

export interface TurnRequest {
  promptId: string;
  text: string;
  /** The repository checkout: the CLI's working directory. */
  cwd: string;
  /** A private HOME for the CLI (its config and session store live there; resume needs the same one). */
  home: string;
  model?: string;
  /** The CLI's own session id from an earlier turn, to continue that conversation. */
  resumeSessionId?: string;
  maxTurns: number;
  timeoutMs: number;
  /** The runtime's own directories (its state): empty to the CLI and everything it starts. */
  hiddenPaths?: string[];
  /** Extra environment for the CLI (model endpoint and key, secrets). */
  env: Record<string, string>;
  /** Aborting cancels the turn: the CLI's whole process group is killed. */
  signal: AbortSignal;
}

export interface TurnResult {
  status: "completed" | "failed" | "cancelled";
  /** The CLI's session id, to pass as resumeSessionId next time. */
  agentSessionId?: string;
  /** The agent's final message, used for commit messages and PR bodies. */
  summary?: string;
  durationMs: number;
}

export type EmitEvent = (event: AgentEvent) => void;

/** Runs one prompt to completion, emitting normalized events as the CLI produces them. */
export type RunTurn = (agent: AgentName, request: TurnRequest, emit: EmitEvent) => Promise<TurnResult>;
