/**
 * How the Daytona double runs a sandbox's runtime: it asks the local sandbox host (its signed HTTP
 * API, as LocalSandboxProvider calls it) to start one with the sandbox's environment — the
 * bootstrap variables Daytona was given at create — and ends it there when the sandbox stops or is
 * deleted. The host needs nothing of the repository (the runtime learns it in the bootstrap
 * exchange), so the request names a GitHub repository the host does not resolve.
 */
import { SandboxInfo } from "@nightshift/protocol";
import {
  callSandboxHost,
  deleteHostSnapshot,
  hostErrorMessage,
  type SandboxHostTarget,
  startHostRuntime,
  takeHostSnapshot,
} from "../sandbox-host/host-client";

export type { SandboxHostTarget } from "../sandbox-host/host-client";

/** What the host says of a started runtime, as the double's command status needs it. */
export interface RuntimeStatus {
  /** null while it runs. */
  exitCode: number | null;
  output: string;
}

export class HostRunner {
  private readonly target: () => SandboxHostTarget | null;

  constructor(target: () => SandboxHostTarget | null) {
    this.target = target;
  }

  /** Starts the runtime; returns the host's sandbox id, or throws with what the host said. */
  async start(input: {
    sessionId: string;
    incarnation: string;
    env: Record<string, string>;
    allowHosts: string[];
    tenantId?: string;
    fromSnapshot?: string;
  }): Promise<string> {
    const info = await startHostRuntime(this.requireTarget(), {
      ...input,
      placeholderOwner: "daytona-snapshot",
    });
    return info.id;
  }

  /** The runtime's workdir copied into the host's snapshot store; null when the host cannot. */
  async snapshot(hostId: string): Promise<string | null> {
    const target = this.target();
    return target ? takeHostSnapshot(target, hostId, "resume").catch(() => null) : null;
  }

  async forgetSnapshot(ref: string): Promise<void> {
    const target = this.target();
    if (target) await deleteHostSnapshot(target, ref).catch(() => undefined);
  }

  async status(hostId: string): Promise<RuntimeStatus> {
    const res = await this.call("GET", `/v1/sandboxes/${encodeURIComponent(hostId)}`);
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok)
      return {
        exitCode: 1,
        output: `the sandbox host lost the runtime: ${hostErrorMessage(json, res.status)}`,
      };
    const info = SandboxInfo.parse(json);
    if (info.state === "starting" || info.state === "running") return { exitCode: null, output: "" };
    const code = info.exitCode ?? 1;
    return { exitCode: code, output: `runtime ${info.state} (exit code ${code})\n` };
  }

  async stop(hostId: string): Promise<void> {
    const res = await this.call("DELETE", `/v1/sandboxes/${encodeURIComponent(hostId)}`);
    await res.body?.cancel();
  }

  private requireTarget(): SandboxHostTarget {
    const target = this.target();
    if (!target) throw new Error("the Daytona double has no sandbox host to run runtimes on");
    return target;
  }

  private call(method: string, path: string): Promise<Response> {
    return callSandboxHost(this.requireTarget(), method, path);
  }
}
