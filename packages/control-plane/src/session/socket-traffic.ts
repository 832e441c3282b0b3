/**
 * What the session's DO does with traffic on its hibernatable WebSockets: a client's frames and
 * closes go to the hub; a sandbox's messages go to the bridge once the event masker holds this
 * incarnation's values (events are masked synchronously as they are stored), and the loss of the
 * current incarnation's socket with no turn running starts the bridge's grace period. `settle`
 * applies what the traffic changed (agent.ts).
 */
import type { SandboxBridge } from "./bridge";
import { readSandboxAttachment } from "./bridge";
import type { ClientHub } from "./hub";
import { readClientAttachment } from "./hub";
import type { SessionStore } from "./store";
import type { SessionTimeouts } from "./timeouts";

export interface SocketTrafficParts {
  hub: Pick<ClientHub, "onMessage" | "onClose">;
  bridge: Pick<SandboxBridge, "onMessage" | "renewTokenIfDue" | "isCurrentIncarnation" | "isConnected">;
  eventMasker: { isReadyFor(incarnation: string): boolean; prepare(incarnation: string): Promise<void> };
  store: Pick<SessionStore, "runningPrompt">;
  timeouts: Pick<SessionTimeouts, "bridgeLost">;
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

  async close(ws: WebSocket): Promise<void> {
    const { hub, bridge, store, timeouts, settle } = this.parts;
    if (readClientAttachment(ws)) return hub.onClose(ws);
    const sandbox = readSandboxAttachment(ws);
    if (!sandbox || !bridge.isCurrentIncarnation(sandbox.incarnationHash)) return;
    if (bridge.isConnected() || store.runningPrompt()) return;
    timeouts.bridgeLost();
    await settle();
  }
}
