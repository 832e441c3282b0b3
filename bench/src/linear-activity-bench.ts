/**
 * Linear "created → first activity" under `wrangler dev`: a tenant with Linear installed against the
 * testkit double (the real install flow), its team mapped to a repository the owner can push to,
 * the delegating Linear user linked to the owner. Then N signed `AgentSessionEvent` `created`
 * deliveries (each a new agent session on a new issue, a new Linear-Delivery, stamped when sent),
 * at most a few in flight, each timed from the send to the double recording the first
 * `agentActivityCreate` for its agent session. Sessions get their "sandbox" from the recording
 * host, so no agent runs: the figure is the control plane's own path. The same for `prompted`
 * follow-ups on sessions that exist. Linear requires the first activity within 10 s; the target is
 * p99 < 2 s. A delivery with no activity within 10 s fails the bench.
 *
 * `pnpm run bench linear-activity [--n 200] [--in-flight 3] [--prompted 50]`; BENCH_ECHO=1 prints
 * the Worker's log beside the figures.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startRecordedStack } from "@nightshift/devstack";
import { startGithubDouble } from "@nightshift/testkit/github";
import {
  type ActivityRecord,
  type LinearDouble,
  sendLinearWebhook,
  startLinearDouble,
} from "@nightshift/testkit/linear";
import { waitFor } from "@nightshift/testkit/wait-for";
import {
  delegation,
  followUp,
  installLinear,
  type LinearIssue,
  linkRequester,
  mapTeam,
} from "./linear-activity-setup";
import { ms, summarize } from "./stats";

const OWNER = "octo";
const REPO = "widgets";
const INSTALLATION = 7;
const APP = { clientId: "bench-linear-client", clientSecret: "bench-linear-client-secret" };
const WEBHOOK_SECRET = "bench-linear-webhook-secret";
/** Linear shows an agent as unresponsive without an activity within 10 s. */
const BOUND_MS = 10_000;
const TARGET_P99_MS = 2_000;
const WARMUP = 5;
const UNLIMITED = "1000000,1000000";

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: false,
    options: {
      n: { type: "string" },
      "in-flight": { type: "string" },
      prompted: { type: "string" },
    },
  });
  const int = (flag: unknown, env: string | undefined, fallback: number) => {
    const value = Number(typeof flag === "string" ? flag : (env ?? fallback));
    if (!Number.isInteger(value) || value < 0) throw new Error(`not a count: ${String(flag ?? env)}`);
    return value;
  };
  const n = int(values.n, process.env.BENCH_LINEAR_ACTIVITY_N, 200);
  return {
    n,
    inFlight: Math.max(1, int(values["in-flight"], process.env.BENCH_LINEAR_ACTIVITY_IN_FLIGHT, 3)),
    prompted: Math.min(n, int(values.prompted, process.env.BENCH_LINEAR_ACTIVITY_PROMPTED, 50)),
  };
}

type Summary = ReturnType<typeof summarize>;

export interface ActivityFigures {
  firstActivity: Summary;
  ack: Summary;
  /** From the 200's arrival to the first activity: the work after the acknowledgement. */
  afterAck: Summary;
  /** Deliveries with no activity within BOUND_MS, or whose first activity was not a thought. */
  failures: string[];
}

export interface LinearActivityBenchResult {
  created: ActivityFigures;
  prompted: ActivityFigures | null;
  sessionsStarted: number;
  inFlight: number;
  target: { p99Ms: number; boundMs: number };
  met: boolean;
  loadAverage: { before: number[]; after: number[] };
}

interface Delivered {
  issue: LinearIssue;
  agentSessionId: string;
}

/** The first activity for `agentSessionId` the double recorded at or after index `since`. */
function firstActivity(linear: LinearDouble, agentSessionId: string, since: number): ActivityRecord | null {
  const all = linear.state.recorded.activities;
  for (let i = since; i < all.length; i++) if (all[i]!.agentSessionId === agentSessionId) return all[i]!;
  return null;
}

interface Timed {
  ackMs: number;
  activityMs: number | null;
  activity: ActivityRecord | null;
}

/** Sends one delivery (signed and stamped now) and waits (bounded) for its first activity. */
async function timeDelivery(
  linear: LinearDouble,
  webhookUrl: string,
  payload: Record<string, unknown>,
  agentSessionId: string,
): Promise<Timed> {
  const since = linear.state.recorded.activities.length;
  const sentAt = Date.now();
  const res = await sendLinearWebhook(webhookUrl, WEBHOOK_SECRET, payload);
  const ackMs = Date.now() - sentAt;
  if (res.status !== 200) throw new Error(`the delivery answered ${res.status}: ${await res.text()}`);
  const activity = await waitFor(
    () => firstActivity(linear, agentSessionId, since),
    `the first activity of agent session ${agentSessionId}`,
    BOUND_MS,
  ).catch(() => null);
  return { ackMs, activity, activityMs: activity ? activity.at - sentAt : null };
}

/** Runs `count` timed deliveries with at most `inFlight` waiting at once; the first `warmup` are not counted. */
async function paced(
  count: number,
  warmup: number,
  inFlight: number,
  one: (i: number) => Promise<Timed & { label: string }>,
): Promise<ActivityFigures> {
  const acks: number[] = [];
  const firsts: number[] = [];
  const afterAcks: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count + warmup; i = next++) {
      const timed = await one(i);
      if (i < warmup) continue;
      acks.push(timed.ackMs);
      // Linear's 10 s run from its send: a slow answer to the delivery counts against them.
      if (timed.activityMs === null || timed.activityMs > BOUND_MS)
        failures.push(`${timed.label}: no activity within ${BOUND_MS} ms of the send`);
      if (timed.activityMs !== null) {
        firsts.push(timed.activityMs);
        afterAcks.push(timed.activityMs - timed.ackMs);
        if (timed.activity?.content.type !== "thought")
          failures.push(`${timed.label}: the first activity was a ${timed.activity?.content.type}`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { firstActivity: summarize(firsts), ack: summarize(acks), afterAck: summarize(afterAcks), failures };
}

function print(log: (line: string) => void, name: string, f: ActivityFigures): void {
  const a = f.firstActivity;
  log(
    `  ${name.padEnd(28)} n=${String(a.n).padStart(4)}  p50 ${ms(a.p50)}  p95 ${ms(a.p95)}  p99 ${ms(a.p99)}  max ${ms(a.max)}`,
  );
  log(`  ${"  of which the 200".padEnd(28)} p50 ${ms(f.ack.p50)}  p99 ${ms(f.ack.p99)}`);
  log(`  ${"  and after the 200".padEnd(28)} p50 ${ms(f.afterAck.p50)}  p99 ${ms(f.afterAck.p99)}`);
  for (const failure of f.failures.slice(0, 10)) log(`  FAILED ${failure}`);
}

const hasSession = (linear: LinearDouble, agentSessionId: string) =>
  linear.state.recorded.sessionUpdates.some((u) => u.id === agentSessionId && u.input.addedExternalUrls);

export async function runLinearActivityBench(
  log: (line: string) => void = console.log,
): Promise<LinearActivityBenchResult> {
  const { n, inFlight, prompted } = options();
  const before = loadavg();
  const gh = await startGithubDouble({
    app: { slug: "nightshift-bench-linear" },
    users: [{ id: 101, login: OWNER }],
    repos: [{ owner: OWNER, name: REPO, files: { "README.md": "# widgets\n" } }],
    installations: [{ id: INSTALLATION, account: OWNER, repos: [`${OWNER}/${REPO}`] }],
  });
  const linear = await startLinearDouble(APP);
  const stack = await startRecordedStack({
    echo: process.env.BENCH_ECHO === "1",
    github: gh,
    vars: {
      LINEAR_CLIENT_ID: APP.clientId,
      LINEAR_CLIENT_SECRET: APP.clientSecret,
      LINEAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LINEAR_API_URL: linear.url,
      LINEAR_WEB_URL: linear.url,
      // Hundreds of delegations in minutes: the default per-tenant limits would refuse most.
      RATE_LIMIT_WEBHOOK: UNLIMITED,
      RATE_LIMIT_SESSION_CREATE: UNLIMITED,
      RATE_LIMIT_PROMPTS: UNLIMITED,
      // The recording host's sandboxes never finish: without room, sessions would queue for slots.
      SANDBOX_SLOT_LIMIT: "100000",
      SANDBOX_SLOT_LIMIT_PER_TENANT: "100000",
    },
  }).catch(async (error: unknown) => {
    await linear.close();
    await gh.close();
    throw error;
  });
  try {
    const tenant = await stack.connectGithub(OWNER, INSTALLATION);
    await installLinear(stack, tenant);
    const { teamId } = linear.state.addIssue();
    await mapTeam(stack, tenant, teamId, `${OWNER}/${REPO}`);
    const webhookUrl = `${stack.url}/webhooks/linear`;
    await linkRequester(
      stack,
      tenant,
      linear,
      { url: webhookUrl, secret: WEBHOOK_SECRET },
      {
        issueId: linear.state.addIssue(teamId).issueId,
        teamId,
      },
    );

    log(`created: ${n} delegations (warm-up ${WARMUP}), at most ${inFlight} in flight...`);
    const delivered: Delivered[] = [];
    const created = await paced(n, WARMUP, inFlight, async (i) => {
      const issue = linear.state.addIssue(teamId, { title: "Add a changelog", description: "" });
      const agentSessionId = crypto.randomUUID();
      if (i >= WARMUP) delivered.push({ issue, agentSessionId });
      const timed = await timeDelivery(
        linear,
        webhookUrl,
        delegation(linear, issue, agentSessionId),
        agentSessionId,
      );
      return { ...timed, label: `created ${agentSessionId}` };
    });

    log("Linear: delivery sent → first agentActivityCreate at the double (recorded sandbox host)");
    print(log, "created → first thought", created);
    // The sessions are created after the first thought; a follow-up needs one to steer.
    const withSession = () => delivered.filter((d) => hasSession(linear, d.agentSessionId));
    const sessionsStarted = await waitFor(
      () => withSession().length === delivered.length && delivered.length,
      "every delegation's session",
      60_000,
    ).catch(() => withSession().length);
    log(`  sessions started ${sessionsStarted} / ${delivered.length}`);

    let promptedFigures: ActivityFigures | null = null;
    const targets = withSession().slice(0, prompted);
    if (targets.length > 0) {
      log(`prompted: ${targets.length} follow-ups on those sessions, at most ${inFlight} in flight...`);
      promptedFigures = await paced(targets.length, 0, inFlight, async (i) => {
        const { issue, agentSessionId } = targets[i]!;
        const payload = followUp(linear, issue, agentSessionId);
        const timed = await timeDelivery(linear, webhookUrl, payload, agentSessionId);
        return { ...timed, label: `prompted ${agentSessionId}` };
      });
      print(log, "prompted → first activity", promptedFigures);
    }

    const after = loadavg();
    log(
      `  load average before ${before.map((l) => l.toFixed(2)).join(" ")}, after ${after.map((l) => l.toFixed(2)).join(" ")}`,
    );
    const met = created.failures.length === 0 && created.firstActivity.p99 < TARGET_P99_MS;
    log(`  target created p99 < ${ms(TARGET_P99_MS)}: ${met ? "met" : "MISSED"}`);
    const failures = [...created.failures, ...(promptedFigures?.failures ?? [])];
    if (failures.length > 0)
      throw new Error(
        `${failures.length} Linear deliveries did not get a first thought within ${BOUND_MS} ms (see FAILED above)`,
      );
    return {
      created,
      prompted: promptedFigures,
      sessionsStarted,
      inFlight,
      target: { p99Ms: TARGET_P99_MS, boundMs: BOUND_MS },
      met,
      loadAverage: { before, after },
    };
  } finally {
    await stack.close();
    await linear.close();
    await gh.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runLinearActivityBench();
}
