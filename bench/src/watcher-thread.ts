/**
 * Runs a group of stream watchers in a worker thread, so watching never delays the sender.
 * Each watcher is a real WebSocket client of /api/v1/sessions/:id/stream; to measure the
 * server rather than JSON.parse on a shared 2-core machine, it reads only the benchmark's
 * event texts (`"text":"e<N>"`) from each frame and stamps them with the absolute time.
 */
import { parentPort, workerData } from "node:worker_threads";
import WebSocket from "ws";

interface Input {
  url: string;
  sessionId: string;
  count: number;
  total: number;
  headers: Record<string, string>;
}

const input = workerData as Input;
const TEXT = /"text":"e(\d+)"/g;
/** receivedAt[w][n] = absolute ms when watcher w got event e<n>. */
const receivedAt = Array.from({ length: input.count }, () => new Float64Array(input.total + 1));

function watch(index: number): Promise<void> {
  const ws = new WebSocket(
    `${input.url.replace(/^http/, "ws")}/api/v1/sessions/${input.sessionId}/stream?after=0`,
    { headers: input.headers },
  );
  return new Promise((resolve, reject) => {
    let opened = false;
    ws.once("open", () => {
      opened = true;
      parentPort!.postMessage({ type: "open" });
    });
    ws.once("error", (err) => (opened ? undefined : reject(err)));
    ws.on("message", (data) => {
      const now = performance.timeOrigin + performance.now();
      const text = String(data);
      let last = 0;
      for (const m of text.matchAll(TEXT)) {
        last = Number(m[1]);
        receivedAt[index]![last] = now;
      }
      if (last === input.total) {
        ws.close(1000, "done");
        resolve();
      }
    });
  });
}

await Promise.all(Array.from({ length: input.count }, (_, i) => watch(i)));
parentPort!.postMessage({ type: "done", receivedAt });
