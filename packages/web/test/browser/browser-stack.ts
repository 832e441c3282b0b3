/**
 * What the browser tests run against, all on loopback: the real Worker under `wrangler dev`
 * (local D1 and Durable Objects, fresh state), testkit's recording sandbox host in place of real
 * sandboxes, and the dashboard server in front. The test plays the sandbox runtime itself over
 * the real bridge (scripted-runtime.ts), so the stream carries exactly the events a test needs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { localSecrets, type RunningWorker, sandboxTokenFromHost, startWorker } from "@nightshift/devstack";
import { type RecordingSandboxHost, startRecordingSandboxHost } from "@nightshift/testkit/sandbox-host";
import { type DashboardServer, startDashboardServer } from "./dashboard-server";

export const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const DIST = join(WEB_ROOT, "dist");
export const ARTIFACTS = join(WEB_ROOT, "artifacts");

export interface BrowserStack {
  /** Where the browser goes (the dashboard server). */
  url: string;
  workerUrl: string;
  /** The Worker's local state (D1's SQLite files live under it): tests seed rows there. */
  persistDir: string;
  dashboard: DashboardServer;
  host: RecordingSandboxHost;
  /** The sandbox token the control plane handed to the sandbox of this session. */
  sandboxTokenFor(sessionId: string, sinceRequest?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startBrowserStack(): Promise<BrowserStack> {
  let indexHtml: string;
  try {
    indexHtml = readFileSync(join(DIST, "index.html"), "utf8");
  } catch {
    throw new Error(
      "packages/web/dist is missing: run `pnpm --filter @nightshift/web build` (test:browser does)",
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const hostSecret = `${crypto.randomUUID()}${crypto.randomUUID()}`;
  // The repository the flows pick in the new-session form.
  const host = await startRecordingSandboxHost(hostSecret, {
    repositories: [{ path: "demo-repo", defaultBranch: "main" }],
  });
  const dashboard = await startDashboardServer(DIST);
  const persistDir = mkdtempSync(join(tmpdir(), "nightshift-web-"));
  let worker: RunningWorker;
  try {
    worker = await startWorker({
      persistDir,
      vars: {
        ...localSecrets(),
        SANDBOX_HOST_URL: host.url,
        SANDBOX_HOST_SECRET: hostSecret,
        // The dashboard server's origin may send cookie-authenticated requests (CSRF check).
        ALLOWED_ORIGINS: dashboard.url,
      },
    });
  } catch (err) {
    await dashboard.close();
    await host.close();
    throw err;
  }
  // Once wrangler.toml's [assets] point at packages/web/dist, the Worker serves this very build.
  const served = await (await fetch(`${worker.url}/`)).text();
  dashboard.setTarget(worker.url, served === indexHtml);

  return {
    url: dashboard.url,
    workerUrl: worker.url,
    persistDir,
    dashboard,
    host,
    // The create request carries a one-time bootstrap token; no runtime runs here, so the test
    // exchanges it as the runtime would and plays the sandbox with the token it gets.
    sandboxTokenFor: (sessionId, sinceRequest = 0) =>
      sandboxTokenFromHost(host, worker.url, sessionId, sinceRequest),
    async close() {
      await worker.close();
      await dashboard.close();
      await host.close();
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
}
