/**
 * How the Daytona double runs a sandbox's runtime: it asks the local sandbox host (its signed HTTP
 * API, as LocalSandboxProvider calls it) to start one with the sandbox's environment — the
 * bootstrap variables Daytona was given at create — and ends it there when the sandbox stops or is
 * deleted. The host needs nothing of the repository (the runtime learns it in the bootstrap
 * exchange), so the request names a GitHub repository the host does not resolve.
 */
import {
  EgressPolicy,
  hostSigningString,
  SANDBOX_HOST_SIGNATURE_HEADER,
  SANDBOX_HOST_TIMESTAMP_HEADER,
  SandboxInfo,
  signHostRequest,
} from "@nightshift/protocol";

export interface SandboxHostTarget {
  url: string;
  secret: string;
}

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
  }): Promise<string> {
    const egress = EgressPolicy.safeParse({ allowHosts: input.allowHosts });
    const body = JSON.stringify({
      sessionId: input.sessionId,
      incarnation: input.incarnation,
      repo: { kind: "github", owner: "daytona-snapshot", name: "workspace" },
      env: input.env,
      ...(egress.success && input.allowHosts.length > 0 ? { egress: egress.data } : {}),
    });
    const res = await this.call("POST", "/v1/sandboxes", body);
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`the sandbox host refused the runtime: ${hostMessage(json, res.status)}`);
    return SandboxInfo.parse(json).id;
  }

  async status(hostId: string): Promise<RuntimeStatus> {
    const res = await this.call("GET", `/v1/sandboxes/${encodeURIComponent(hostId)}`, "");
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok)
      return { exitCode: 1, output: `the sandbox host lost the runtime: ${hostMessage(json, res.status)}` };
    const info = SandboxInfo.parse(json);
    if (info.state === "starting" || info.state === "running") return { exitCode: null, output: "" };
    const code = info.exitCode ?? 1;
    return { exitCode: code, output: `runtime ${info.state} (exit code ${code})\n` };
  }

  async stop(hostId: string): Promise<void> {
    const res = await this.call("DELETE", `/v1/sandboxes/${encodeURIComponent(hostId)}`, "");
    await res.body?.cancel();
  }

  private async call(method: string, path: string, body: string): Promise<Response> {
    const target = this.target();
    if (!target) throw new Error("the Daytona double has no sandbox host to run runtimes on");
    const ts = Math.floor(Date.now() / 1000).toString();
    const signature = await signHostRequest(target.secret, hostSigningString(ts, method, path, body));
    return fetch(new URL(path, target.url), {
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
