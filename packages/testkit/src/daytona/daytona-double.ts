/**
 * The Daytona double on 127.0.0.1: `url` is what a user would put in DAYTONA_API_URL (it ends in
 * /api, like https://app.daytona.io/api). Runtimes run on the sandbox host named in the options or
 * set later with setSandboxHost (the end-to-end stack starts its host after the Worker's vars are
 * fixed).
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createDaytonaApi, type DaytonaApi, type DaytonaApiOptions } from "./daytona-api";

export interface DaytonaDouble extends Omit<DaytonaApi, "fetch" | "shutdown"> {
  /** The API base URL (DAYTONA_API_URL). */
  url: string;
  close(): Promise<void>;
}

export async function startDaytonaDouble(options: DaytonaApiOptions): Promise<DaytonaDouble> {
  const api = createDaytonaApi(options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: api.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const { fetch: _fetch, shutdown, ...rest } = api;
  return {
    ...rest,
    url: `http://127.0.0.1:${port}/api`,
    async close() {
      await shutdown();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
