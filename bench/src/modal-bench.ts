/**
 * Create → ready through the Modal provider: the Worker with SANDBOX_PROVIDER=modal against the
 * testkit's double of our Modal app (a simulated Modal create time, reported separately), the
 * runtime on the local sandbox host, a GitHub repository on the GitHub double (provider-bench.ts
 * measures).
 */
import { startCloudProviderRig } from "@nightshift/devstack";
import { type ModalAppDouble, startModalAppDouble } from "@nightshift/testkit/modal";
import { type Mark, measureCreateToReady, type ProviderBenchResult } from "./provider-bench";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 6);
/** Modal's own create time, simulated (its published median create → first command is ~2.7 s). */
const SIMULATED_CREATE_MS = Number(process.env.BENCH_MODAL_CREATE_MS ?? 2_660);
const TOKEN = { id: `wk-bench-${crypto.randomUUID()}`, secret: `ws-bench-${crypto.randomUUID()}` };

export async function runModalBench(log: (line: string) => void = console.log): Promise<ProviderBenchResult> {
  const modal = await startModalAppDouble({ proxyToken: TOKEN, delays: { createMs: SIMULATED_CREATE_MS } });
  const rig = await startCloudProviderRig({
    owner: "bench",
    userId: 401,
    repo: "modal",
    installationId: 12,
    double: modal,
    vars: {
      SANDBOX_PROVIDER: "modal",
      MODAL_APP_URL: modal.url,
      MODAL_PROXY_TOKEN_ID: TOKEN.id,
      MODAL_PROXY_TOKEN_SECRET: TOKEN.secret,
    },
  });
  try {
    return await measureCreateToReady(rig, {
      provider: "modal",
      sessions: SESSIONS,
      simulatedMs: SIMULATED_CREATE_MS,
      log,
      marks: (sessionId) => createPath(modal, sessionId),
      lastStep: `Modal's create (simulated ${SIMULATED_CREATE_MS} ms), then the runtime: started on the host, boots, exchanges its token, clones → running`,
    });
  } finally {
    await rig.close();
  }
}

/** When the create call of the session's newest sandbox reached the double. */
function createPath(modal: ModalAppDouble, sessionId: string): Mark[] {
  const created = modal.requests.findLast(
    (r) =>
      r.method === "POST" && r.path === "/v1/sandboxes" && JSON.stringify(r.body).includes(`"${sessionId}"`),
  )?.at;
  return created === undefined ? [] : [{ step: "control plane: API → Modal create call", at: created }];
}
