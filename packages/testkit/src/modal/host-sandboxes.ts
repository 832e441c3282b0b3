/**
 * How the Modal app double runs a sandbox: it asks the local sandbox host (its signed HTTP API,
 * as LocalSandboxProvider calls it) to start the runtime with exactly the env Modal was given —
 * the bootstrap variables — and ends it there on terminate. The host needs nothing of the
 * repository (the runtime learns it in the bootstrap exchange), so the request names a GitHub
 * repository the host does not resolve. `fetch` is injectable so the in-process host double can
 * stand in where nothing listens (workerd).
 */
import { SandboxInfo } from "@nightshift/protocol";
import {
  callSandboxHost,
  deleteHostSnapshot,
  type SandboxHostTarget,
  startHostRuntime,
  takeHostSnapshot,
} from "../sandbox-host/host-client";

export type ModalSandboxHost = SandboxHostTarget;

export interface HostRuntimeState {
  /** null while the runtime runs. */
  exitCode: number | null;
  state: "running" | "exited" | "terminated";
}

export class HostSandboxes {
  private readonly target: () => ModalSandboxHost | null;

  constructor(target: () => ModalSandboxHost | null) {
    this.target = target;
  }

  /** Starts the runtime: the host's sandbox id and isolation, or null when the double runs none. */
  async start(input: {
    sessionId: string;
    incarnation: string;
    env: Record<string, string>;
    allowHosts: string[];
    tenantId?: string;
    fromSnapshot?: string;
  }): Promise<{ id: string; isolation: string } | null> {
    const target = this.target();
    if (!target) return null;
    const info = await startHostRuntime(target, { ...input, placeholderOwner: "modal-image" });
    return { id: info.id, isolation: info.isolation };
  }

  /** The runtime's workdir copied on the host (what a filesystem snapshot restores); null when it cannot. */
  async snapshot(hostId: string): Promise<string | null> {
    const target = this.target();
    return target ? takeHostSnapshot(target, hostId, "resume") : null;
  }

  /** Drops the host's copy of a deleted snapshot's files (best effort: a leftover is only disk). */
  async forgetSnapshot(ref: string): Promise<void> {
    const target = this.target();
    if (target) await deleteHostSnapshot(target, ref).catch(() => undefined);
  }

  async state(hostId: string): Promise<HostRuntimeState> {
    const res = await this.call("GET", `/v1/sandboxes/${encodeURIComponent(hostId)}`);
    if (!res) return { state: "running", exitCode: null };
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) return { state: "exited", exitCode: 1 };
    const info = SandboxInfo.parse(json);
    if (info.state === "starting" || info.state === "running") return { state: "running", exitCode: null };
    if (info.state === "terminated") return { state: "terminated", exitCode: 137 };
    return { state: "exited", exitCode: info.exitCode ?? 1 };
  }

  async stop(hostId: string): Promise<void> {
    const res = await this.call("DELETE", `/v1/sandboxes/${encodeURIComponent(hostId)}`);
    await res?.body?.cancel();
  }

  private async call(method: string, path: string): Promise<Response | null> {
    const target = this.target();
    return target ? callSandboxHost(target, method, path) : null;
  }
}
