/**
 * What the session's DO does with traffic on its hibernatable WebSockets: a client's frames and
 * closes go to the hub; a sandbox's messages go to the bridge once the event masker holds this
 * incarnation's values (events are masked synchronously as they are stored), and the loss of the
 * current incarnation's socket with no turn running starts the bridge's grace period. A runtime
 * that closes cleanly after the control plane asked it to shut down has flushed everything, so its
 * sandbox and slot go back at once instead of after the termination grace. `settle` applies what
 * the traffic changed (agent.ts).
 */
import { BridgeCloseCode } from "@nightshift/protocol";
import type { SandboxBridge } from "./bridge";
import { readSandboxAttachment } from "./bridge";
import type { ClientHub } from "./hub";
import { readClientAttachment } from "./hub";
import type { SandboxRuns } from "./sandbox-runs";
import type { SessionStore } from "./store";
import type { SessionTimeouts } from "./timeouts";

export interface SocketTrafficParts {
  hub: Pick<ClientHub, "onMessage" | "onClose">;
  bridge: Pick<SandboxBridge, "onMessage" | "renewTokenIfDue" | "isCurrentIncarnation" | "isConnected">;
  eventMasker: { isReadyFor(incarnation: string): boolean; prepare(incarnation: string): Promise<void> };
  store: Pick<SessionStore, "runningPrompt">;
  timeouts: Pick<SessionTimeouts, "bridgeLost">;
  runs: Pick<SandboxRuns, "finishPendingRelease">;
  settle: () => Promise<void>;
}

export class SocketTraffic {
  constructor(private readonly parts: SocketTrafficParts) {}

  async message(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const { hub, bridge, eventMasker, settle } = this.parts;
    if (readClientAttachment(ws)) return hub.onMessage(ws, message);
    const sandbox = readSandboxAttachment(ws);
    if (!sandbox) return;
    if (!eventMasker.isReadyFor(sandbox.incarnationHash)) await eventMasker.prepare(sandbox.incarnationHash);
    bridge.onMessage(ws, message);
    await bridge.renewTokenIfDue(ws);
    await settle();
  }

  /** `code` is the close code the peer sent (none for a socket error). */
  async close(ws: WebSocket, code?: number): Promise<void> {
    const { hub, bridge, store, timeouts, runs, settle } = this.parts;
    if (readClientAttachment(ws)) return hub.onClose(ws);
    const sandbox = readSandboxAttachment(ws);
    if (!sandbox || !bridge.isCurrentIncarnation(sandbox.incarnationHash)) return;
    // Only a release already due (the session ended or paused) is brought forward.
    if (code === BridgeCloseCode.normal) await runs.finishPendingRelease();
    if (bridge.isConnected() || store.runningPrompt()) return;
    timeouts.bridgeLost();
    await settle();
  }
}
