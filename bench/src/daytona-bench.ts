/**
 * Create → ready through the Daytona provider: the Worker with SANDBOX_PROVIDER=daytona against the
 * testkit's Daytona double (a simulated start-up time, reported separately), the runtime on the
 * local sandbox host, a GitHub repository on the GitHub double. Ready = the session's `running`
 * status (the runtime's hello on the bridge). Nightshift's overhead = ready − the simulated time.
 */
import { connectInstallation, StreamWatcher, signInWithGithub, startStack } from "@nightshift/devstack";
import { startDaytonaDouble } from "@nightshift/testkit/daytona";
import { startGithubDouble } from "@nightshift/testkit/github";
import { ms, summarize } from "./stats";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 8);
/** Daytona's own create → started, simulated (its published median create → first command is ~0.1 s). */
const SIMULATED_START_MS = Number(process.env.BENCH_DAYTONA_START_MS ?? 200);
const KEY = `dtn_bench_${crypto.randomUUID()}`;

export interface DaytonaBenchResult {
  simulatedStartMs: number;
  createToReady: { n: number; p50: number; p99: number; max: number };
  overheadP50: number;
}

const running = (w: StreamWatcher) =>
  w.events.some((e) => e.event.type === "session.status" && e.event.status === "running");
const turnEnded = (w: StreamWatcher) => w.events.some((e) => e.event.type === "turn.end");

export async function runDaytonaBench(
  log: (line: string) => void = console.log,
): Promise<DaytonaBenchResult> {
  const gh = await startGithubDouble({
    users: [{ id: 301, login: "bench" }],
    repos: [{ owner: "bench", name: "daytona", files: { "README.md": "# bench\n" } }],
    installations: [{ id: 11, account: "bench", repos: ["bench/daytona"] }],
  });
  const daytona = await startDaytonaDouble({
    apiKey: KEY,
    snapshots: ["nightshift-sandbox"],
    delays: { startMs: SIMULATED_START_MS },
  });
  const stack = await startStack({
    forceScriptedModel: true,
    github: gh,
    vars: {
      SANDBOX_PROVIDER: "daytona",
      DAYTONA_API_URL: daytona.url,
      DAYTONA_API_KEY: KEY,
      DAYTONA_SNAPSHOT: "nightshift-sandbox",
    },
  });
  try {
    daytona.setSandboxHost({ url: stack.host.url, secret: stack.hostSecret });
    const browser = await signInWithGithub(stack.url, "bench");
    await connectInstallation(stack.url, browser, 11, "bench");
    log(
      `daytona: create → ready for ${SESSIONS} sessions (simulated Daytona start ${SIMULATED_START_MS} ms)...`,
    );
    const readyTimes: number[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      stack.model!.enqueue({ kind: "text", text: "Ready." });
      const started = performance.now();
      const res = await fetch(`${stack.url}/api/v1/tenants/${browser.tenantId}/sessions`, {
        method: "POST",
        headers: { ...browser.headers, "content-type": "application/json" },
        body: JSON.stringify({
          repo: { kind: "github", owner: "bench", name: "daytona" },
          prompt: "Say ready.",
        }),
      });
      if (res.status !== 201)
        throw new Error(`creating a session answered ${res.status}: ${await res.text()}`);
      const session = (await res.json()) as { id: string };
      const w = await StreamWatcher.open(stack.url, session.id, 0, browser.headers);
      await w.until("running", () => running(w), 60_000);
      readyTimes.push(performance.now() - started);
      await w
        .until("the first turn to end", () => turnEnded(w), 120_000)
        .catch((err: Error) => {
          const seen = w.events.map((e) =>
            e.event.type === "log" ? `log: ${e.event.text.trim()}` : e.event.type,
          );
          throw new Error(`${err.message}; the session streamed: ${seen.join(" | ")}`);
        });
      w.close();
      // Ended, so the next session does not wait for a slot and its sandbox is deleted.
      await fetch(`${stack.url}/api/v1/sessions/${session.id}/stop`, {
        method: "POST",
        headers: browser.headers,
      });
    }
    const ready = summarize(readyTimes);
    const overheadP50 = ready.p50 - SIMULATED_START_MS;
    log(
      `daytona: create → ready p50 ${ms(ready.p50)}, p99 ${ms(ready.p99)}, max ${ms(ready.max)}; Nightshift's overhead p50 ${ms(overheadP50)} on top of ${SIMULATED_START_MS} ms simulated`,
    );
    return { simulatedStartMs: SIMULATED_START_MS, createToReady: ready, overheadP50 };
  } finally {
    await stack.close();
    await daytona.close();
    await gh.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runDaytonaBench();
}
