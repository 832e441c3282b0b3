/** Turns probe results of the webhook benchmark into variant results and readable tables. */
import type { ProbeResult } from "./interleave";
import { ms, type summarize } from "./stats";

export type Summary = ReturnType<typeof summarize>;

export interface VariantResult {
  requests: number;
  webhook: Summary;
  health: Summary;
  /** Webhook over health, at the same percentile. */
  ratio: { p50: number; p99: number };
  accepted: number;
  failed: number;
  failures: { status: number; body: string }[];
  healthFailed: number;
}

export function variantOf(results: Record<string, ProbeResult>): VariantResult {
  const webhook = results.webhook!;
  const health = results.health!;
  return {
    requests: webhook.latency.n,
    webhook: webhook.latency,
    health: health.latency,
    ratio: { p50: webhook.latency.p50 / health.latency.p50, p99: webhook.latency.p99 / health.latency.p99 },
    accepted: webhook.ok,
    failed: webhook.failed,
    failures: webhook.failures,
    healthFailed: health.failed,
  };
}

export function header(): string {
  return `  ${"".padEnd(34)}${"n".padStart(6)}${["p50", "p95", "p99", "max"].map((h) => h.padStart(10)).join("")}`;
}

export function row(name: string, s: Summary, extra = ""): string {
  const cells = [s.p50, s.p95, s.p99, s.max].map((v) => ms(v).padStart(10));
  return `  ${name.padEnd(34)}${String(s.n).padStart(6)}${cells.join("")}  ${extra}`;
}

export function printVariant(log: (line: string) => void, title: string, v: VariantResult): void {
  log(title);
  log(header());
  log(row("POST /webhooks/github", v.webhook, `${v.accepted} × 202, ${v.failed} failed`));
  log(row("GET /api/v1/health", v.health, `${v.healthFailed} failed`));
  log(`  ratio webhook / health: p50 ${v.ratio.p50.toFixed(2)}×, p99 ${v.ratio.p99.toFixed(2)}×`);
  for (const f of v.failures) log(`  failure: ${f.status} ${f.body}`);
}
