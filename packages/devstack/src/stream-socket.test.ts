import type { AddressInfo } from "node:net";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { StreamWatcher } from "./stream-socket";

/** A stand-in for the session's stream: every socket gets the same events, then nothing more. */
const events = [
  { seq: 1, at: "2026-12-05T00:00:00.000Z", event: { type: "session.status", status: "starting" } },
  { seq: 2, at: "2026-12-05T00:00:01.000Z", event: { type: "session.status", status: "running" } },
  {
    seq: 3,
    at: "2026-12-05T00:00:02.000Z",
    event: { type: "error", code: "model_auth_failed", message: "the key was refused" },
  },
];
let server: WebSocketServer;
let url: string;

beforeAll(async () => {
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on("connection", (ws, req) => {
    if (req.url?.includes("/quiet/")) return;
    ws.send(JSON.stringify({ type: "events", events }));
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("StreamWatcher", () => {
  it("a wait that times out says where the session got to: the last events as make demo prints them", async () => {
    const watcher = await StreamWatcher.open(url, "s1");
    await watcher.until("the first events", () => watcher.events.length === 3, 5_000);
    const failure = await watcher
      .until("the turn to end", () => false, 100)
      .then(
        () => "resolved",
        (err: Error) => stripVTControlCharacters(err.message),
      );
    expect(failure).toBe(
      "timed out after 100 ms waiting for the turn to end; the stream carried 3 events, the last:\n" +
        "#1 status starting\n#2 status running\n#3 error model_auth_failed the key was refused\n",
    );
    expect(stripVTControlCharacters(watcher.describeTail(1))).toBe(
      "the stream carried 3 events, the last:\n#3 error model_auth_failed the key was refused\n",
    );
    watcher.close();
  });

  it("says so when the stream carried nothing", async () => {
    const watcher = await StreamWatcher.open(url, "quiet");
    await expect(watcher.until("anything", () => false, 100)).rejects.toThrow(
      "waiting for anything; the stream carried no event",
    );
    watcher.close();
  });
});
