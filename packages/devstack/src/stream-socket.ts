/** A watcher of a session's stream (what the dashboard and CLI do), for tests and benchmarks. */
import type { ServerFrame, SessionStatus, StoredEvent } from "@nightshift/protocol";
import WebSocket from "ws";
import { renderEvents } from "./event-printer";

export class StreamWatcher {
  readonly events: StoredEvent[] = [];
  readonly frames: ServerFrame[] = [];
  /** Local receive time of each event, by seq (for latency measurements). */
  readonly receivedAt = new Map<number, number>();
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const now = performance.now();
      const frame = JSON.parse(String(data)) as ServerFrame;
      if (frame.type === "events") {
        for (const e of frame.events) {
          this.events.push(e);
          this.receivedAt.set(e.seq, now);
        }
      } else {
        this.frames.push(frame);
      }
      this.waiters = this.waiters.filter((w) => {
        if (!w.check()) return true;
        w.resolve();
        return false;
      });
    });
  }

  static open(
    baseUrl: string,
    sessionId: string,
    after = 0,
    headers: Record<string, string> = {},
  ): Promise<StreamWatcher> {
    const url = `${baseUrl.replace(/^http/, "ws")}/api/v1/sessions/${sessionId}/stream?after=${after}`;
    const ws = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new StreamWatcher(ws)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`stream refused: HTTP ${res.statusCode}`)),
      );
    });
  }

  get lastSeq(): number {
    return this.events.at(-1)?.seq ?? 0;
  }

  /** Whether the session has announced `status` on this stream. */
  sawStatus(status: SessionStatus): boolean {
    return this.events.some((e) => e.event.type === "session.status" && e.event.status === status);
  }

  /** Every log line streamed so far (sandbox, runtime and agent), as one text. */
  logText(): string {
    return this.events.flatMap((e) => (e.event.type === "log" ? [e.event.text] : [])).join("");
  }

  /**
   * Resolves once `check` holds, checked after every frame and every 50 ms (conditions may depend
   * on things other than this socket); rejects after `timeoutMs`.
   */
  until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(
        () =>
          finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.describeTail()}`)),
        timeoutMs,
      );
      const poll = setInterval(() => {
        if (check()) finish();
      }, 50);
      const waiter = { check, resolve: () => finish() };
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.ws.close(1000, "done");
  }

  /** Where the session got to, for a timeout's message: how many events, the last few as `make demo` prints them. */
  describeTail(count = TAIL_EVENTS): string {
    if (this.events.length === 0) return "the stream carried no event";
    return `the stream carried ${this.events.length} events, the last:\n${renderEvents(this.events.slice(-count))}`;
  }
}

const TAIL_EVENTS = 8;
