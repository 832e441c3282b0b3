/**
 * The Modal app double on 127.0.0.1: `url` is what a user would put in MODAL_APP_URL (the base of
 * the app's web endpoint, like https://<workspace>--nightshift-sandboxes.modal.run). Runtimes run
 * on the sandbox host named in the options or set later with setSandboxHost.
 */

import { serveDouble } from "../serve-double";
import { createModalAppApi, type ModalAppApi, type ModalAppApiOptions } from "./modal-app-api";

export interface ModalAppDouble extends Omit<ModalAppApi, "fetch" | "shutdown"> {
  /** The app's base URL (MODAL_APP_URL). */
  url: string;
  close(): Promise<void>;
}

export async function startModalAppDouble(options: ModalAppApiOptions): Promise<ModalAppDouble> {
  const api = createModalAppApi(options);
  const served = await serveDouble(api);
  const { fetch: _fetch, shutdown: _shutdown, ...rest } = api;
  return { ...rest, url: served.origin, close: served.close };
}
