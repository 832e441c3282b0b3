/** Runs the control-plane Worker under `wrangler dev` with local D1 (migrated) and local DOs. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LocalDatabaseOptions, prepareLocalDatabase } from "./local-database";
import { freePort } from "./ports";
import { type ManagedProcess, startProcess, waitUntil } from "./processes";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface WorkerOptions {
  /**
   * Worker port. Omitted: a free one, and another if some other process binds it first (the e2e
   * suites start stacks side by side, and a port found free can be taken before wrangler binds it).
   */
  port?: number;
  /** Where local D1 and DO state live; a fresh temp dir gives a clean control plane. */
  persistDir: string;
  /** Worker vars and secrets for this run (wrangler --var); PUBLIC_URL defaults to the Worker's URL. */
  vars: Record<string, string>;
  echo?: boolean;
}

export interface RunningWorker {
  url: string;
  process: ManagedProcess;
  close(): Promise<void>;
}

/** What every wrangler this project starts runs with: no metrics, no fetch of `cf`, plain output. */
export const wranglerEnv = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

/** The workspace's pinned wrangler. */
export function wranglerBin(): string {
  return join(REPO_ROOT, "packages/devstack/node_modules/.bin/wrangler");
}

/** How many free ports to try when another process takes the one found. */
const PORT_ATTEMPTS = 4;

/** How every stack gets its local D1: a copy of the template migrated once per set of migrations. */
export function localDatabaseOptions(): LocalDatabaseOptions {
  return {
    repoRoot: REPO_ROOT,
    wranglerBin: wranglerBin(),
    wranglerEnv,
    templateRoot: join(REPO_ROOT, "node_modules/.cache/nightshift-d1"),
  };
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  await prepareLocalDatabase(options.persistDir, localDatabaseOptions());
  if (options.port) return await launchWorker(options.port, options);
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchWorker(await freePort(), options);
    } catch (err) {
      const taken = err instanceof Error && err.message.includes("Address already in use");
      if (!taken || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

async function launchWorker(port: number, options: WorkerOptions): Promise<RunningWorker> {
  const url = `http://127.0.0.1:${port}`;
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", options.persistDir];
  args.push("--show-interactive-dev-session=false", "--log-level", options.echo ? "info" : "warn");
  for (const [key, value] of Object.entries({ PUBLIC_URL: url, ...options.vars }))
    args.push("--var", `${key}:${value}`);
  const worker = startProcess("worker", wranglerBin(), args, {
    cwd: REPO_ROOT,
    env: wranglerEnv,
    echo: options.echo,
  });
  try {
    await waitUntil(
      "the Worker to answer /api/v1/health",
      async () => (await fetch(`${url}/api/v1/health`)).ok,
      90_000,
      worker,
    );
  } catch (err) {
    await worker.stop();
    throw err;
  }
  return { url, process: worker, close: () => worker.stop() };
}
