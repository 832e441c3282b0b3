/**
 * How the Modal app double runs a sandbox: it asks the local sandbox host (its signed HTTP API,
 * as LocalSandboxProvider calls it) to start the runtime with exactly the env Modal was given —
 * the bootstrap variables — and ends it there on terminate. The host needs nothing of the
 * repository (the runtime learns it in the bootstrap exchange), so the request names a GitHub
 * repository the host does not resolve. `fetch` is injectable so the in-process host double can
 * stand in where nothing listens (workerd).
 */
import {
  EgressPolicy,
  hostSigningString,
  SANDBOX_HOST_SIGNATURE_HEADER,
  SANDBOX_HOST_TIMESTAMP_HEADER,
  SandboxInfo,
  signHostRequest,
} from "@nightshift/protocol";

export interface ModalSandboxHost {
  url: string;
  secret: string;
  fetch?: typeof fetch;
}

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
  }): Promise<{ id: string; isolation: string } | null> {
    const egress = EgressPolicy.safeParse({ allowHosts: input.allowHosts });
    const body = JSON.stringify({
      sessionId: input.sessionId,
      incarnation: input.incarnation,
      repo: { kind: "github", owner: "modal-image", name: "workspace" },
      env: input.env,
      ...(egress.success && input.allowHosts.length > 0 ? { egress: egress.data } : {}),
    });
    const res = await this.call("POST", "/v1/sandboxes", body);
    if (!res) return null;
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`the sandbox host refused the runtime: ${hostMessage(json, res.status)}`);
    const info = SandboxInfo.parse(json);
    return { id: info.id, isolation: info.isolation };
  }

  async state(hostId: string): Promise<HostRuntimeState> {
    const res = await this.call("GET", `/v1/sandboxes/${encodeURIComponent(hostId)}`, "");
    if (!res) return { state: "running", exitCode: null };
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) return { state: "exited", exitCode: 1 };
    const info = SandboxInfo.parse(json);
    if (info.state === "starting" || info.state === "running") return { state: "running", exitCode: null };
    if (info.state === "terminated") return { state: "terminated", exitCode: 137 };
    return { state: "exited", exitCode: info.exitCode ?? 1 };
  }

  async stop(hostId: string): Promise<void> {
    const res = await this.call("DELETE", `/v1/sandboxes/${encodeURIComponent(hostId)}`, "");
    await res?.body?.cancel();
  }

  private async call(method: string, path: string, body: string): Promise<Response | null> {
    const target = this.target();
    if (!target) return null;
    const ts = Math.floor(Date.now() / 1000).toString();
    const signature = await signHostRequest(target.secret, hostSigningString(ts, method, path, body));
    const fetchImpl = target.fetch ?? fetch;
    return fetchImpl(new URL(path, target.url), {
      method,
      headers: {
        "content-type": "application/json",
        [SANDBOX_HOST_TIMESTAMP_HEADER]: ts,
        [SANDBOX_HOST_SIGNATURE_HEADER]: signature,
      },
      ...(body ? { body } : {}),
    });
  }
}

function hostMessage(json: unknown, status: number): string {
  const message = (json as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === "string" ? message : `HTTP ${status}`;
}
