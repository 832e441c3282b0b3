/**
 * Sessions outlive their sandbox (issue 13 §6), on the local host: one session's sandbox is ended
 * behind Nightshift's back (the host terminates it) while idle, again and again. Measured each
 * time: sandbox gone → session paused (how soon Nightshift notices: the bridge's 15 s grace), and
 * follow-up on the paused session → running on a new sandbox (slot, launch, bootstrap exchange,
 * clone of the session branch, conversation restored, prompt dispatched) and → its turn ended.
 */
import { createDemoRepo, type Stack, StreamWatcher, startStack } from "@nightshift/devstack";
import { postJson } from "./stack-api";
import { ms, summarize } from "./stats";

const RESUMES = Number(process.env.BENCH_RESUMES ?? 5);

export interface ResumeBenchResult {
  goneToPaused: ReturnType<typeof summarize>;
  followUpToRunning: ReturnType<typeof summarize>;
  followUpToTurnEnd: ReturnType<typeof summarize>;
}

const statusCount = (w: StreamWatcher, status: string) =>
  w.events.filter((e) => e.event.type === "session.status" && e.event.status === status).length;
const turnEnds = (w: StreamWatcher) => w.events.filter((e) => e.event.type === "turn.end").length;

async function killSandbox(stack: Stack, sessionId: string): Promise<void> {
  const live = stack.host.manager
    .list()
    .find((s) => s.sessionId === sessionId && (s.state === "running" || s.state === "starting"));
  if (!live) throw new Error("the session has no live sandbox to end");
  await stack.host.manager.terminate(live.id);
}

export async function runResumeBench(log: (line: string) => void = console.log): Promise<ResumeBenchResult> {
  const stack = await startStack({ forceScriptedModel: true });
  try {
    createDemoRepo(stack.reposRoot, "resume-bench");
    stack.model!.enqueue({ kind: "text", text: "Ready." });
    const session = await postJson(stack, "/api/v1/sessions", {
      repo: { kind: "local", path: "resume-bench" },
      prompt: "Say ready.",
    });
    const w = await StreamWatcher.open(stack.url, session.id, 0, stack.headers);
    await w.until("the first turn", () => turnEnds(w) === 1, 90_000);
    await w.until("idle", () => statusCount(w, "idle") === 1, 30_000);
    log(
      `resume: ${RESUMES} rounds of sandbox gone → paused → follow-up → running (sandbox ${stack.host.isolation})...`,
    );
    const gone: number[] = [];
    const running: number[] = [];
    const turned: number[] = [];
    for (let i = 0; i < RESUMES; i++) {
      const paused = statusCount(w, "paused");
      const killedAt = performance.now();
      await killSandbox(stack, session.id);
      await w.until("paused", () => statusCount(w, "paused") > paused, 90_000);
      gone.push(performance.now() - killedAt);

      stack.model!.enqueue({ kind: "text", text: "Resumed." });
      const runningBefore = statusCount(w, "running");
      const endsBefore = turnEnds(w);
      const idleBefore = statusCount(w, "idle");
      const sentAt = performance.now();
      await postJson(stack, `/api/v1/sessions/${session.id}/prompts`, { text: `Say resumed (${i}).` });
      await w.until("running again", () => statusCount(w, "running") > runningBefore, 90_000);
      running.push(performance.now() - sentAt);
      await w.until("the resumed turn", () => turnEnds(w) > endsBefore, 90_000);
      turned.push(performance.now() - sentAt);
      await w.until("idle again", () => statusCount(w, "idle") > idleBefore, 30_000);
    }
    w.close();
    const result = {
      goneToPaused: summarize(gone),
      followUpToRunning: summarize(running),
      followUpToTurnEnd: summarize(turned),
    };
    log(
      `resume: sandbox gone → paused p50 ${ms(result.goneToPaused.p50)}, max ${ms(result.goneToPaused.max)}`,
    );
    log(
      `resume: follow-up → running p50 ${ms(result.followUpToRunning.p50)}, max ${ms(result.followUpToRunning.max)}`,
    );
    log(
      `resume: follow-up → turn end p50 ${ms(result.followUpToTurnEnd.p50)}, max ${ms(result.followUpToTurnEnd.max)}`,
    );
    return result;
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runResumeBench();
  console.log(JSON.stringify(result, null, 2));
}
