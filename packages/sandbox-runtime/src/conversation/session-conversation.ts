/**
 * The session controller's conversation hooks for this sandbox: the agent's adapter says where
 * its CLI keeps conversations (AgentAdapter.conversationFiles); every sandbox saves after each
 * turn, and one started to resume a paused session (NIGHTSHIFT_RESUME=1) restores first.
 */
import type { RuntimeEnv } from "@nightshift/protocol";
import type { AdapterRegistry } from "../agents/registry";
import type { Emit } from "../events/event-sink";
import type { Logger } from "../log";
import type { SessionControllerOptions } from "../session/session-controller";
import { ConversationSync } from "./conversation-sync";

export interface SessionConversationParts {
  env: RuntimeEnv;
  adapters: AdapterRegistry;
  /** The agent's private HOME (its conversations live under it). */
  agentHome: string;
  token: () => string;
  emit: Emit;
  log: Logger;
}

export function sessionConversation(
  parts: SessionConversationParts,
): SessionControllerOptions["conversation"] {
  const { env } = parts;
  const files = parts.adapters[env.NIGHTSHIFT_AGENT]?.conversationFiles?.(parts.agentHome);
  if (!files) return undefined;
  const sync = new ConversationSync({
    controlPlaneUrl: env.NIGHTSHIFT_CONTROL_PLANE_URL,
    token: parts.token,
    files,
    emit: parts.emit,
    log: parts.log,
  });
  return {
    save: (agentSessionId) => sync.save(agentSessionId),
    ...(env.NIGHTSHIFT_RESUME === "1"
      ? { restore: () => sync.restore(env.NIGHTSHIFT_AGENT_SESSION_ID) }
      : {}),
  };
}
