/** Runs the control-plane Worker under `wrangler dev` with local D1 (migrated) and local DOs. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { prepareLocalDatabase } from "./local-database";
import { type ManagedProcess, startProcess, waitUntil } from "./processes";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface WorkerOptions {
  port: number;
  /** Where local D1 and DO state live; a fresh temp dir gives a clean control plane. */
  persistDir: string;
  /** Worker vars and secrets for this run (wrangler --var). */
  vars: Record<string, string>;
  echo?: boolean;
}

export interface RunningWorker {
  url: string;
  process: ManagedProcess;
  close(): Promise<void>;
}

const wranglerEnv = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" };

function wranglerBin(): string {
  return join(REPO_ROOT, "packages/devstack/node_modules/.bin/wrangler");
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  await prepareLocalDatabase(options.persistDir, {
    repoRoot: REPO_ROOT,
    wranglerBin: wranglerBin(),
    wranglerEnv,
    templateRoot: join(REPO_ROOT, "node_modules/.cache/nightshift-d1"),
  });
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--persist-to",
    options.persistDir,
  ];
  args.push("--show-interactive-dev-session=false", "--log-level", options.echo ? "info" : "warn");
  for (const [key, value] of Object.entries(options.vars)) args.push("--var", `${key}:${value}`);
  const worker = startProcess("worker", wranglerBin(), args, {
    cwd: REPO_ROOT,
    env: wranglerEnv,
    echo: options.echo,
  });
  const url = `http://127.0.0.1:${options.port}`;
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
