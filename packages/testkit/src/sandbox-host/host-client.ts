/**
 * The provider doubles' side of the local sandbox host: signed calls to its HTTP API, made the way
 * LocalSandboxProvider makes them, so a Daytona or Modal double can run each sandbox's runtime there
 * with only the bootstrap variables it was given.
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
  /** Stands in for the network where nothing listens (workerd tests). */
  fetch?: typeof fetch;
}

/** One signed call to the host. */
export async function callSandboxHost(
  target: SandboxHostTarget,
  method: string,
  path: string,
  body = "",
): Promise<Response> {
  const ts = Math.floor(Date.now() / 1000).toString();
  const signature = await signHostRequest(target.secret, hostSigningString(ts, method, path, body));
  return (target.fetch ?? fetch)(new URL(path, target.url), {
    method,
    headers: {
      "content-type": "application/json",
      [SANDBOX_HOST_TIMESTAMP_HEADER]: ts,
      [SANDBOX_HOST_SIGNATURE_HEADER]: signature,
    },
    ...(body ? { body } : {}),
  });
}

/** The host's error message from its envelope, else the status. */
export function hostErrorMessage(json: unknown, status: number): string {
  const message = (json as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === "string" ? message : `HTTP ${status}`;
}

export interface HostRuntimeInput {
  sessionId: string;
  incarnation: string;
  env: Record<string, string>;
  allowHosts: string[];
  /**
   * The repository the create request names. The host resolves nothing of it (the runtime learns
   * its repository in the bootstrap exchange); each double names its own image.
   */
  placeholderOwner: string;
}

/** Starts a runtime on the host; throws with what the host said when it refuses. */
export async function startHostRuntime(
  target: SandboxHostTarget,
  input: HostRuntimeInput,
): Promise<SandboxInfo> {
  const egress = EgressPolicy.safeParse({ allowHosts: input.allowHosts });
  const body = JSON.stringify({
    sessionId: input.sessionId,
    incarnation: input.incarnation,
    repo: { kind: "github", owner: input.placeholderOwner, name: "workspace" },
    env: input.env,
    ...(egress.success && input.allowHosts.length > 0 ? { egress: egress.data } : {}),
  });
  const res = await callSandboxHost(target, "POST", "/v1/sandboxes", body);
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`the sandbox host refused the runtime: ${hostErrorMessage(json, res.status)}`);
  return SandboxInfo.parse(json);
}
