/**
 * The Daytona double on 127.0.0.1: `url` is what a user would put in DAYTONA_API_URL (it ends in
 * /api, like https://app.daytona.io/api). Runtimes run on the sandbox host named in the options or
 * set later with setSandboxHost (the end-to-end stack starts its host after the Worker's vars are
 * fixed).
 */

import { serveDouble } from "../serve-double";
import { createDaytonaApi, type DaytonaApi, type DaytonaApiOptions } from "./daytona-api";

export interface DaytonaDouble extends Omit<DaytonaApi, "fetch" | "shutdown"> {
  /** The API base URL (DAYTONA_API_URL). */
  url: string;
  close(): Promise<void>;
}

export async function startDaytonaDouble(options: DaytonaApiOptions): Promise<DaytonaDouble> {
  const api = createDaytonaApi(options);
  const served = await serveDouble(api);
  const { fetch: _fetch, shutdown: _shutdown, ...rest } = api;
  return { ...rest, url: `${served.origin}/api`, close: served.close };
}
