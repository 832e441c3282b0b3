/**
 * What Nightshift knows about each agent CLI it can run: its display name, the model APIs it can
 * call (through the model gateway, in that API's own wire format), the model a session gets when
 * it names none, and the models offered in pickers. A session may name any other model string;
 * the CLI and the provider decide whether it exists.
 */
import type { AgentName } from "./api.ts";
import type { ModelProvider } from "./model-gateway.ts";

export interface AgentInfo {
  agent: AgentName;
  displayName: string;
  /** Model APIs the CLI can be pointed at; the first is the one its default model uses. */
  providers: readonly ModelProvider[];
  defaultModel: string;
  /** Offered in pickers, default first. */
  models: readonly string[];
}

export const AGENT_CATALOG: Record<AgentName, AgentInfo> = {
  "claude-code": {
    agent: "claude-code",
    displayName: "Claude Code",
    providers: ["anthropic"],
    defaultModel: "claude-sonnet-4-5",
    models: ["claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5"],
  },
  codex: {
    agent: "codex",
    displayName: "Codex",
    providers: ["openai"],
    defaultModel: "gpt-5.5",
    models: ["gpt-5.5", "gpt-5.6-sol", "gpt-6.1-sol", "gpt-5-mini"],
  },
  opencode: {
    agent: "opencode",
    displayName: "OpenCode",
    providers: ["openai", "anthropic", "gemini"],
    defaultModel: "gpt-5.5",
    models: ["gpt-5.5", "claude-sonnet-4-5", "gemini-2.5-pro"],
  },
  gemini: {
    agent: "gemini",
    displayName: "Gemini CLI",
    providers: ["gemini"],
    defaultModel: "gemini-2.5-flash",
    models: ["gemini-2.5-flash", "gemini-2.5-pro"],
  },
  pi: {
    agent: "pi",
    displayName: "Pi",
    providers: ["anthropic", "openai", "gemini"],
    defaultModel: "claude-sonnet-4-5",
    models: ["claude-sonnet-4-5", "gpt-5.5", "gemini-2.5-pro"],
  },
};
