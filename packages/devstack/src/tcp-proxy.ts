/**
 * A loopback TCP proxy that can cut open connections: fault injection for the bridge. It notes which
 * connections began as WebSocket upgrades, so a test can cut the bridge alone while the sandbox's
 * plain HTTP calls through the same address (model gateway, git proxy) carry on.
 */
import { connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  url: string;
  port: number;
  /** Destroys every open connection (both sides); new connections keep working. */
  dropAll(): number;
  /** Destroys only the connections that were upgraded to WebSocket (the bridge); returns how many. */
  dropWebSockets(): number;
  close(): Promise<void>;
}

const WEBSOCKET_UPGRADE = /^upgrade:\s*websocket\s*$/im;

export async function startTcpProxy(targetPort: number, port = 0): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const webSockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    open.add(client);
    open.add(upstream);
    client.once("data", (first: Buffer) => {
      if (WEBSOCKET_UPGRADE.test(first.toString("latin1"))) webSockets.add(client);
    });
    const cleanup = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      webSockets.delete(client);
    };
    client.on("error", cleanup).on("close", cleanup);
    upstream.on("error", cleanup).on("close", cleanup);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    dropAll() {
      const n = open.size / 2;
      for (const socket of open) socket.destroy();
      open.clear();
      webSockets.clear();
      return n;
    },
    dropWebSockets() {
      const n = webSockets.size;
      // Destroying the client side closes its upstream through the cleanup handler.
      for (const socket of webSockets) socket.destroy();
      webSockets.clear();
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
