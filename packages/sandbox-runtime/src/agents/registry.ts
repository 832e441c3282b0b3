/**
 * Which adapter runs which agent. An agent without an adapter is a known name the runtime
 * cannot run yet; the turn runner turns that into a clear error event.
 */
import type { AgentName } from "@nightshift/protocol";
import type { AgentAdapter } from "./adapter";
import { claudeCode } from "./claude-code";
import { codex } from "./codex";
import { gemini } from "./gemini";
import { opencode } from "./opencode";
import { pi } from "./pi";

export type AdapterRegistry = Partial<Record<AgentName, AgentAdapter>>;

export const defaultAdapters: AdapterRegistry = {
  "claude-code": claudeCode,
  codex,
  gemini,
  opencode,
  pi,
};
