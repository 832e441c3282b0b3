/** A client of the sandbox bridge, for benchmarks and tests that play the runtime's part. */
import type { ControlFrame } from "@nightshift/protocol";
import WebSocket from "ws";

export class BridgeClient {
  readonly frames: ControlFrame[] = [];
  private ackListeners: ((seq: number) => void)[] = [];
  lastAck = 0;
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as ControlFrame;
      if (frame.type === "ack") {
        this.lastAck = frame.seq;
        for (const listener of this.ackListeners) listener(frame.seq);
        return;
      }
      this.frames.push(frame);
    });
    ws.on("close", (code) => {
      this.closeCode = code;
    });
  }

  static connect(baseUrl: string, token: string): Promise<BridgeClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/sandbox/connect`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new BridgeClient(ws)));
      ws.once("error", reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  waitForAck(seq: number, timeoutMs = 30_000): Promise<void> {
    if (this.lastAck >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ack for seq ${seq} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const listener = (acked: number) => {
        if (acked < seq) return;
        clearTimeout(timer);
        this.ackListeners = this.ackListeners.filter((l) => l !== listener);
        resolve();
      };
      this.ackListeners.push(listener);
    });
  }

  close(): void {
    this.ws.close(1000, "done");
  }
}
