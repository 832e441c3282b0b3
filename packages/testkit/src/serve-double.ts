/**
 * Serves a double's `fetch` handler on 127.0.0.1 (a free port) with @hono/node-server; the same
 * handler runs in workerd tests without a server. `close` shuts the double down, then the server.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface ServedDouble {
  /** http://127.0.0.1:<port>, no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

export async function serveDouble(api: {
  fetch: (request: Request) => Response | Promise<Response>;
  shutdown(): Promise<void>;
}): Promise<ServedDouble> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: api.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      await api.shutdown();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
