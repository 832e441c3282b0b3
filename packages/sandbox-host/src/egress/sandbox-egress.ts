/**
 * The egress side of one isolated sandbox: its proxy on a socket in the sandbox's directory,
 * the bind that puts the socket inside, and the environment that points the runtime, git and
 * the agent CLI at the runtime's forwarder (127.0.0.1:SANDBOX_EGRESS_PORT inside the sandbox's
 * own network namespace). Closed with the sandbox.
 */
import { join } from "node:path";
import {
  type CreateSandboxRequest,
  type EgressDenial,
  SANDBOX_EGRESS_PORT,
  SANDBOX_EGRESS_SOCKET,
} from "@nightshift/protocol";
import { HostError } from "../http/host-error";
import { DenialReporter } from "./denial-reporter";
import { buildEgressRules } from "./egress-policy";
import { EgressProxy } from "./egress-proxy";
import type { Lookup } from "./resolve-target";

export interface SandboxEgressInput {
  /** The sandbox's directory on the host (the socket lives there and goes with it). */
  dir: string;
  request: Pick<CreateSandboxRequest, "env" | "egress">;
  hostEnv: NodeJS.ProcessEnv;
  /** The host's defaults every sandbox may reach (package registries, --egress-allow). */
  defaultAllow: readonly string[];
  uid?: number;
  lookup?: Lookup;
  /** Each reported denial, for the host's log. */
  onDenied?: (denial: EgressDenial) => void;
}

export interface SandboxEgress {
  /** Where the socket is bound inside the sandbox (read-only). */
  bind: { source: string; dest: string };
  /** Variables the host sets over the request's: the control-plane URL and the proxy variables. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** 400 unless the request names the control plane by an http(s) URL: its egress is built around it. */
export function checkEgressRequest(request: Pick<CreateSandboxRequest, "env">): void {
  const url = request.env.NIGHTSHIFT_CONTROL_PLANE_URL;
  if (!url || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new HostError(
      "invalid_request",
      "env.NIGHTSHIFT_CONTROL_PLANE_URL must be an http:// or https:// URL: the sandbox reaches the control plane through its egress proxy",
    );
  }
}

export async function startSandboxEgress(input: SandboxEgressInput): Promise<SandboxEgress> {
  checkEgressRequest(input.request);
  const controlPlaneUrl = input.request.env.NIGHTSHIFT_CONTROL_PLANE_URL ?? "";
  const rules = buildEgressRules({
    controlPlaneUrl,
    hostEnv: input.hostEnv,
    patterns: [...input.defaultAllow, ...(input.request.egress?.allowHosts ?? [])],
  });
  const proxy = await EgressProxy.start({
    socketPath: join(input.dir, "egress.sock"),
    rules,
    reporter: new DenialReporter(input.onDenied ? { onReport: input.onDenied } : {}),
    ...(input.uid !== undefined ? { uid: input.uid } : {}),
    ...(input.lookup ? { lookup: input.lookup } : {}),
  });
  const inner = `http://127.0.0.1:${SANDBOX_EGRESS_PORT}`;
  return {
    bind: { source: proxy.socketPath, dest: SANDBOX_EGRESS_SOCKET },
    env: {
      NIGHTSHIFT_CONTROL_PLANE_URL: `${inner}${rules.controlPlane.basePath}`,
      NIGHTSHIFT_EGRESS_SOCKET: SANDBOX_EGRESS_SOCKET,
      NIGHTSHIFT_EGRESS_PORT: String(SANDBOX_EGRESS_PORT),
      // Lower and upper case: curl (git) reads http_proxy only in lower case, others differ.
      HTTP_PROXY: inner,
      HTTPS_PROXY: inner,
      http_proxy: inner,
      https_proxy: inner,
      NO_PROXY: "",
      no_proxy: "",
    },
    close: () => proxy.close(),
  };
}
