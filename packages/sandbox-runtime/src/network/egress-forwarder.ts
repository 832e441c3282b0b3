/**
 * Inside an isolated sandbox the only way out is the host's egress proxy socket. This forwarder
 * listens on 127.0.0.1:<port> (the sandbox's own loopback) and pipes every connection to that
 * socket, so TCP clients (the bridge, git, the agent CLI through HTTP(S)_PROXY) reach the proxy.
 * It starts before anything dials the control plane.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";

export interface EgressForwarder {
  port: number;
  close(): Promise<void>;
}

export async function startEgressForwarder(socketPath: string, port: number): Promise<EgressForwarder> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(socketPath);
    const pair = [client, upstream];
    for (const socket of pair) {
      open.add(socket);
      socket.on("error", () => {
        for (const s of pair) s.destroy();
      });
      socket.on("close", () => {
        open.delete(socket);
        for (const s of pair) s.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
