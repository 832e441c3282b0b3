/**
 * The proxy's splice of two sockets (CONNECT tunnels, the runtime's bridge WebSocket): what one
 * side sent before it hung up reaches the other side whole, however slowly that side takes it.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { splice } from "./forward";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A connected pair of sockets on 127.0.0.1. */
async function socketPair(): Promise<{ near: Socket; far: Socket }> {
  let accept!: (s: Socket) => void;
  const accepted = new Promise<Socket>((resolve) => {
    accept = resolve;
  });
  const server = createServer(accept);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const near = connect((server.address() as AddressInfo).port, "127.0.0.1");
  return { near, far: await accepted };
}

/** A side that takes what it is written only when let go: a client reading slowly. */
class SlowSide extends Duplex {
  received = 0;
  ended = false;
  private held: (() => void)[] = [];
  private open = false;

  constructor() {
    // Room for all of it, so the pipe never stops reading the other side (which must see its end).
    super({ writableHighWaterMark: 64 * 1024 * 1024 });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const take = () => {
      this.received += chunk.length;
      done();
    };
    if (this.open) take();
    else this.held.push(take);
  }

  override _final(done: () => void): void {
    this.ended = true;
    done();
  }

  letGo(): void {
    this.open = true;
    for (const take of this.held.splice(0)) take();
  }
}

describe("splice", () => {
  it("delivers everything one side sent before it hung up, to a side that takes it slowly", async () => {
    const slow = new SlowSide();
    const other = await socketPair();
    splice(slow, other.near);
    const payload = Buffer.alloc(4 * 1024 * 1024, 7);
    // Sent whole, then hung up at once: a runtime that exits right after its close frame.
    other.far.end(payload);
    await new Promise((resolve) => other.near.once("close", resolve));
    slow.letGo();
    await new Promise((resolve) => setImmediate(resolve));
    expect(slow.received).toBe(payload.length);
    expect(slow.ended).toBe(true);
  });

  it("cuts a side that has not closed within the drain time after its peer hung up", async () => {
    const slow = new SlowSide();
    const other = await socketPair();
    splice(slow, other.near, 50);
    other.far.end("bye");
    await new Promise((resolve) => slow.once("close", resolve));
    expect(slow.destroyed).toBe(true);
    expect(slow.received).toBe(0);
  });

  it("tears both sides down when one fails", async () => {
    const left = await socketPair();
    const right = await socketPair();
    splice(left.far, right.near);
    const closed = new Promise((resolve) => left.near.once("close", resolve));
    right.far.resetAndDestroy();
    await closed;
    expect(left.far.destroyed).toBe(true);
    expect(right.near.destroyed).toBe(true);
  });
});
