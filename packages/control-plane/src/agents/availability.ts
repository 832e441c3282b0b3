/**
 * Which agent CLIs this deployment can run: SANDBOX_AGENTS, a comma-separated list of agent names
 * in the order pickers show them, the first being what a session gets where neither it nor its
 * tenant chose. Unset, every agent of the catalog: the sandbox image and the local host carry all
 * of them. A name Nightshift does not know is a deployment mistake, reported by name.
 */
import { AGENTS, AgentName } from "@nightshift/protocol";
import { z } from "zod";
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";

export type AgentEnv = Pick<Bindings, "SANDBOX_AGENTS">;

const AgentList = z.array(AgentName).min(1);

/** The agents this deployment can run, in its order (duplicates dropped); the first is its default. */
export function availableAgents(env: AgentEnv): AgentName[] {
  const raw = env.SANDBOX_AGENTS?.trim();
  if (!raw) return [...AGENTS];
  const names = raw
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const parsed = AgentList.safeParse(names);
  if (parsed.success) return [...new Set(parsed.data)];
  const unknown = names.filter((name) => !AgentName.safeParse(name).success);
  const what =
    unknown.length > 0
      ? `SANDBOX_AGENTS names ${unknown.map((n) => `"${n.slice(0, 40)}"`).join(", ")}, which Nightshift does not know (it knows ${AGENTS.join(", ")})`
      : "SANDBOX_AGENTS names no agent";
  throw new AppError("upstream_unavailable", `${what}; fix the deployment's setting`);
}

/** What a session gets where neither it nor its tenant named an agent. */
export function deploymentDefaultAgent(env: AgentEnv): AgentName {
  // availableAgents never answers an empty list.
  return availableAgents(env)[0] as AgentName;
}
