/**
 * The runtime's side of an isolated sandbox network: with NIGHTSHIFT_EGRESS_SOCKET set (the
 * host isolates the network and hands it the proxy socket) the forwarder on
 * 127.0.0.1:NIGHTSHIFT_EGRESS_PORT and the stream of denied connections; without it (a shared
 * network, `process` isolation) nothing to do.
 */
import type { AgentEvent, RuntimeEnv } from "@nightshift/protocol";
import { SANDBOX_EGRESS_PORT } from "@nightshift/protocol";
import { type DenialStream, followEgressDenials } from "./egress-denials";
import { startEgressForwarder } from "./egress-forwarder";

export interface SandboxNetwork {
  /** The forwarder's port on 127.0.0.1 (0 when the network is shared). */
  port: number;
  /** Reports each denied connection as a log event from now on. */
  reportDenials(emit: (event: AgentEvent) => void): void;
  close(): Promise<void>;
}

export type SandboxNetworkResult = { ok: true; network: SandboxNetwork } | { ok: false; problem: string };

const SHARED: SandboxNetwork = { port: 0, reportDenials: () => {}, close: async () => {} };

export async function startSandboxNetwork(
  env: Pick<RuntimeEnv, "NIGHTSHIFT_EGRESS_SOCKET" | "NIGHTSHIFT_EGRESS_PORT">,
): Promise<SandboxNetworkResult> {
  const socketPath = env.NIGHTSHIFT_EGRESS_SOCKET;
  if (!socketPath) return { ok: true, network: SHARED };
  const port = env.NIGHTSHIFT_EGRESS_PORT ?? SANDBOX_EGRESS_PORT;
  let forwarder: Awaited<ReturnType<typeof startEgressForwarder>>;
  try {
    forwarder = await startEgressForwarder(socketPath, port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    return { ok: false, problem: `cannot listen on 127.0.0.1:${port} for the egress proxy (${code})` };
  }
  let denials: DenialStream | null = null;
  return {
    ok: true,
    network: {
      port: forwarder.port,
      reportDenials(emit) {
        denials ??= followEgressDenials(socketPath, emit);
      },
      async close() {
        denials?.stop();
        await forwarder.close();
      },
    },
  };
}
