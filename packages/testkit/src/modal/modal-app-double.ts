/**
 * The Modal app double on 127.0.0.1: `url` is what a user would put in MODAL_APP_URL (the base of
 * the app's web endpoint, like https://<workspace>--nightshift-sandboxes.modal.run). Runtimes run
 * on the sandbox host named in the options or set later with setSandboxHost.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createModalAppApi, type ModalAppApi, type ModalAppApiOptions } from "./modal-app-api";

export interface ModalAppDouble extends Omit<ModalAppApi, "fetch" | "shutdown"> {
  /** The app's base URL (MODAL_APP_URL). */
  url: string;
  close(): Promise<void>;
}

export async function startModalAppDouble(options: ModalAppApiOptions): Promise<ModalAppDouble> {
  const api = createModalAppApi(options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: api.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const { fetch: _fetch, shutdown, ...rest } = api;
  return {
    ...rest,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await shutdown();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
