/**
 * Create → ready through the Daytona provider: the Worker with SANDBOX_PROVIDER=daytona against the
 * testkit's Daytona double (a simulated start-up time, reported separately), the runtime on the
 * local sandbox host, a GitHub repository on the GitHub double (provider-bench.ts measures).
 */
import { startCloudProviderRig } from "@nightshift/devstack";
import { type DaytonaDouble, startDaytonaDouble } from "@nightshift/testkit/daytona";
import { type Mark, measureCreateToReady, type ProviderBenchResult } from "./provider-bench";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 8);
/** Daytona's own create → started, simulated (its published median create → first command is ~0.1 s). */
const SIMULATED_START_MS = Number(process.env.BENCH_DAYTONA_START_MS ?? 200);
const KEY = `dtn_bench_${crypto.randomUUID()}`;
const SNAPSHOT = "nightshift-sandbox";

export async function runDaytonaBench(
  log: (line: string) => void = console.log,
): Promise<ProviderBenchResult> {
  const daytona = await startDaytonaDouble({
    apiKey: KEY,
    snapshots: [SNAPSHOT],
    delays: { startMs: SIMULATED_START_MS },
  });
  const rig = await startCloudProviderRig({
    owner: "bench",
    userId: 301,
    repo: "daytona",
    installationId: 11,
    double: daytona,
    vars: {
      SANDBOX_PROVIDER: "daytona",
      DAYTONA_API_URL: daytona.url,
      DAYTONA_API_KEY: KEY,
      DAYTONA_SNAPSHOT: SNAPSHOT,
    },
  });
  try {
    return await measureCreateToReady(rig, {
      provider: "daytona",
      sessions: SESSIONS,
      simulatedMs: SIMULATED_START_MS,
      log,
      marks: (sessionId) => createPath(daytona, sessionId),
      lastStep: "runtime: the host starts it, it boots, exchanges its token, clones → running",
    });
  } finally {
    await rig.close();
  }
}

/** The Daytona calls of the session's newest sandbox, as the double received them. */
function createPath(daytona: DaytonaDouble, sessionId: string): Mark[] {
  const sandbox = daytona.store.list({ "nightshift.session": sessionId }).at(-1);
  if (!sandbox) return [];
  const arrival = (method: string, path: string, match?: (body: unknown) => boolean) =>
    daytona.requests.findLast((r) => r.method === method && r.path === path && (match?.(r.body) ?? true))?.at;
  const created = arrival("POST", "/api/sandbox", (body) =>
    JSON.stringify(body).includes(`"nightshift.incarnation":"${sandbox.labels["nightshift.incarnation"]}"`),
  );
  const toolbox = `/toolbox/${sandbox.id}/process/session`;
  const opened = arrival("POST", toolbox);
  const executed = arrival("POST", `${toolbox}/nightshift-runtime/exec`);
  if (created === undefined || opened === undefined || executed === undefined) return [];
  return [
    { step: "control plane: API → Daytona create call", at: created },
    {
      step: `Daytona: create → started seen (simulated ${SIMULATED_START_MS} ms) → toolbox session`,
      at: opened,
    },
    { step: "Daytona: toolbox session → runtime command", at: executed },
  ];
}
