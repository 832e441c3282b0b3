/**
 * Create → ready through the Modal provider: the Worker with SANDBOX_PROVIDER=modal against the
 * testkit's double of our Modal app (a simulated Modal create time, reported separately), the
 * runtime on the local sandbox host, a GitHub repository on the GitHub double. Ready = the
 * session's `running` status (the runtime's hello on the bridge). Nightshift's overhead = ready −
 * the simulated time. Run alone: `pnpm --filter @nightshift/bench exec tsx src/modal-bench.ts`.
 */
import { connectInstallation, StreamWatcher, signInWithGithub, startStack } from "@nightshift/devstack";
import { startGithubDouble } from "@nightshift/testkit/github";
import { startModalAppDouble } from "@nightshift/testkit/modal";
import { ms, summarize } from "./stats";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 6);
/** Modal's own create time, simulated (its published median create → first command is ~2.7 s). */
const SIMULATED_CREATE_MS = Number(process.env.BENCH_MODAL_CREATE_MS ?? 2_660);
const TOKEN = { id: `wk-bench-${crypto.randomUUID()}`, secret: `ws-bench-${crypto.randomUUID()}` };

export interface ModalBenchResult {
  simulatedCreateMs: number;
  createToReady: { n: number; p50: number; p99: number; max: number };
  overheadP50: number;
}

const running = (w: StreamWatcher) =>
  w.events.some((e) => e.event.type === "session.status" && e.event.status === "running");
const turnEnded = (w: StreamWatcher) => w.events.some((e) => e.event.type === "turn.end");

export async function runModalBench(log: (line: string) => void = console.log): Promise<ModalBenchResult> {
  const gh = await startGithubDouble({
    users: [{ id: 401, login: "bench" }],
    repos: [{ owner: "bench", name: "modal", files: { "README.md": "# bench\n" } }],
    installations: [{ id: 12, account: "bench", repos: ["bench/modal"] }],
  });
  const modal = await startModalAppDouble({ proxyToken: TOKEN, delays: { createMs: SIMULATED_CREATE_MS } });
  const stack = await startStack({
    forceScriptedModel: true,
    github: gh,
    vars: {
      SANDBOX_PROVIDER: "modal",
      MODAL_APP_URL: modal.url,
      MODAL_PROXY_TOKEN_ID: TOKEN.id,
      MODAL_PROXY_TOKEN_SECRET: TOKEN.secret,
    },
  });
  try {
    modal.setSandboxHost({ url: stack.host.url, secret: stack.hostSecret });
    const browser = await signInWithGithub(stack.url, "bench");
    await connectInstallation(stack.url, browser, 12, "bench");
    log(
      `modal: create → ready for ${SESSIONS} sessions (simulated Modal create ${SIMULATED_CREATE_MS} ms)...`,
    );
    const readyTimes: number[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      stack.model!.enqueue({ kind: "text", text: "Ready." });
      const started = performance.now();
      const res = await fetch(`${stack.url}/api/v1/tenants/${browser.tenantId}/sessions`, {
        method: "POST",
        headers: { ...browser.headers, "content-type": "application/json" },
        body: JSON.stringify({
          repo: { kind: "github", owner: "bench", name: "modal" },
          prompt: "Say ready.",
        }),
      });
      if (res.status !== 201)
        throw new Error(`creating a session answered ${res.status}: ${await res.text()}`);
      const session = (await res.json()) as { id: string };
      const w = await StreamWatcher.open(stack.url, session.id, 0, browser.headers);
      await w.until("running", () => running(w), 60_000);
      readyTimes.push(performance.now() - started);
      await w.until("the first turn to end", () => turnEnded(w), 120_000);
      w.close();
      // Ended, so the next session does not wait for a slot and its sandbox is terminated.
      await fetch(`${stack.url}/api/v1/sessions/${session.id}/stop`, {
        method: "POST",
        headers: browser.headers,
      });
    }
    const ready = summarize(readyTimes);
    const overheadP50 = ready.p50 - SIMULATED_CREATE_MS;
    log(
      `modal: create → ready p50 ${ms(ready.p50)}, p99 ${ms(ready.p99)}, max ${ms(ready.max)}; Nightshift's overhead p50 ${ms(overheadP50)} on top of ${SIMULATED_CREATE_MS} ms simulated`,
    );
    return { simulatedCreateMs: SIMULATED_CREATE_MS, createToReady: ready, overheadP50 };
  } finally {
    await stack.close();
    await modal.close();
    await gh.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runModalBench();
}
