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
  /** The tenant the host binds this sandbox's snapshots to (the provider's tenant label). */
  tenantId?: string;
  /** A host snapshot (`takeHostSnapshot`) to seed the workdir from, as the provider restores its own. */
  fromSnapshot?: string;
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
    ...(input.tenantId ? { tenantId: input.tenantId } : {}),
    ...(input.tenantId && input.fromSnapshot ? { fromSnapshot: input.fromSnapshot } : {}),
  });
  const res = await callSandboxHost(target, "POST", "/v1/sandboxes", body);
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`the sandbox host refused the runtime: ${hostErrorMessage(json, res.status)}`);
  return SandboxInfo.parse(json);
}

/**
 * Copies a running runtime's workdir into the host's snapshot store, so a provider double's
 * snapshot carries the files a real provider's would (the host keeps the workdir, not the state
 * dir). null when the host cannot (the runtime is gone, or it ran without a tenant).
 */
export async function takeHostSnapshot(
  target: SandboxHostTarget,
  hostId: string,
  purpose: "warm" | "resume",
): Promise<string | null> {
  const path = `/v1/sandboxes/${encodeURIComponent(hostId)}/snapshots?nonce=${crypto.randomUUID()}`;
  const res = await callSandboxHost(target, "POST", path, JSON.stringify({ purpose }));
  const json = (await res.json().catch(() => null)) as { ref?: unknown } | null;
  return res.ok && typeof json?.ref === "string" ? json.ref : null;
}

/** Forgets a host snapshot; one the host no longer has is not an error. */
export async function deleteHostSnapshot(target: SandboxHostTarget, ref: string): Promise<void> {
  const res = await callSandboxHost(
    target,
    "DELETE",
    `/v1/snapshots/${encodeURIComponent(ref)}?nonce=${crypto.randomUUID()}`,
  );
  await res.body?.cancel();
}
