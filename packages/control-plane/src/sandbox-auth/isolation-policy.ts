/**
 * Which sandbox isolation a deployment accepts. `process` means the sandbox host found no
 * bubblewrap and ran the runtime as a plain process: the agent can read the host's files and
 * reach its network. That is acceptable on one developer's laptop (local mode), never silently
 * on a shared deployment.
 */
import type { Bindings } from "../env";

export type IsolationEnv = Pick<Bindings, "NIGHTSHIFT_MODE" | "ALLOW_PROCESS_ISOLATION">;

export function processIsolationAllowed(env: IsolationEnv): boolean {
  return env.NIGHTSHIFT_MODE === "local" || env.ALLOW_PROCESS_ISOLATION === "1";
}

/** Why a started sandbox must not be used, or null when its isolation is acceptable here. */
export function isolationRefusal(env: IsolationEnv, isolation: string): string | null {
  if (isolation !== "process" || processIsolationAllowed(env)) return null;
  return (
    "the sandbox host started this sandbox without isolation (isolation: process, no bubblewrap), " +
    "which this deployment does not allow; install bubblewrap on the sandbox host and restart it, " +
    'or set ALLOW_PROCESS_ISOLATION="1" only if everyone using this control plane may run code as the host\'s user'
  );
}
