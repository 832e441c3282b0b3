/**
 * The command line that starts one sandbox's runtime: `node runtime.mjs`, wrapped in bwrap (and
 * setpriv when the host drops to a sandbox uid) under bubblewrap isolation. Only paths go into
 * it; the runtime's variables never do (argv is world-readable; see env-handoff.ts).
 */
import { RUNTIME_NODE_FLAGS } from "@nightshift/protocol";
import type { HostConfig } from "../config";
import { bubblewrapArgs, dropPrivilegesPrefix } from "./bubblewrap";
import type { ReadOnlyBind } from "./tool-view";

export type Isolation = { kind: "bubblewrap"; bwrap: string } | { kind: "process"; reason: string };

export interface LaunchInput {
  config: Pick<HostConfig, "nodePath" | "runtimePath" | "sandboxUid">;
  isolation: Isolation;
  /** Node, the runtime and the agent CLIs as the sandbox's uid can reach them (see tool-view.ts). */
  tools: readonly ReadOnlyBind[];
  /** passwd/group naming the sandbox uid, when it is not root. */
  identity: readonly ReadOnlyBind[];
  /** The working directory as the sandbox sees it. */
  workdir: string;
  /** The sandbox's own directories, bound read-write where the sandbox sees them. */
  readWrite: readonly ReadOnlyBind[];
  /** The sandbox's egress proxy socket, bound in read-only (bubblewrap isolates the network). */
  egressSocket?: { source: string; dest: string };
}

export function launchCommand(input: LaunchInput): string[] {
  const { config, isolation } = input;
  const runtime = [config.nodePath, ...RUNTIME_NODE_FLAGS, config.runtimePath];
  if (isolation.kind !== "bubblewrap") return runtime;
  return [
    ...(config.sandboxUid ? dropPrivilegesPrefix(config.sandboxUid) : []),
    isolation.bwrap,
    ...bubblewrapArgs({
      readOnly: input.tools,
      systemOverrides: input.identity,
      readWrite: input.readWrite,
      chdir: input.workdir,
      command: runtime,
      infoFd: 3,
      ...(input.egressSocket ? { egressSocket: input.egressSocket } : {}),
    }),
  ];
}
