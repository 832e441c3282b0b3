/**
 * `make bench`: every benchmark, one after another (they share the 2 cores), with the results
 * written to bench/results/latest.json. docs/performance.md explains each number.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runAgentOverheadBench } from "./agent-overhead";
import { runAutomationAckBench } from "./automation-ack-bench";
import { runBridgeBench } from "./bridge-bench";
import { runCapacityBench } from "./capacity-bench";
import { runCostBench } from "./cost-bench";
import { runDaytonaBench } from "./daytona-bench";
import { runEgressBench } from "./egress-bench";
import { runGatewayBench } from "./gateway-bench";
import { runGitProxyBench } from "./git-proxy-bench";
import { runLinearAckBench } from "./linear-ack-bench";
import { runLinearActivityBench } from "./linear-activity-bench";
import { runModalBench } from "./modal-bench";
import { runResumeBench } from "./resume-bench";
import { runRollupBench } from "./rollup-bench";
import { runScheduleAccuracyBench } from "./schedule-accuracy";
import { runSessionBench } from "./session-bench";
import { runSlackAckBench } from "./slack-ack-bench";
import { runStreamBench } from "./stream-bench";
import { runTailBench } from "./tail-bench";
import { runWaitUntilBench } from "./waituntil-bench";
import { runWarmBench } from "./warm-bench";
import { runWebhookBench } from "./webhook-bench";
import { runWranglerFloorBench } from "./wrangler-floor-bench";

const only = process.argv.slice(2);
const benches = {
  stream: runStreamBench,
  tail: runTailBench,
  bridge: runBridgeBench,
  session: runSessionBench,
  agents: runAgentOverheadBench,
  resume: runResumeBench,
  warm: runWarmBench,
  daytona: runDaytonaBench,
  modal: runModalBench,
  egress: runEgressBench,
  webhook: runWebhookBench,
  floor: runWranglerFloorBench,
  "slack-ack": runSlackAckBench,
  "linear-ack": runLinearAckBench,
  "linear-activity": runLinearActivityBench,
  "schedule-accuracy": runScheduleAccuracyBench,
  "automation-ack": runAutomationAckBench,
  waituntil: runWaitUntilBench,
  capacity: runCapacityBench,
  "git-proxy": runGitProxyBench,
  gateway: runGatewayBench,
  cost: runCostBench,
  rollup: runRollupBench,
} as const;
const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  cpus: (await import("node:os")).cpus().length,
};
for (const [name, run] of Object.entries(benches)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n== ${name}`);
  results[name] = await run();
}
const out = join(dirname(fileURLToPath(import.meta.url)), "../results/latest.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nresults written to ${out}`);
