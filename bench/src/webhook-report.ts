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

/** The target for an integration's webhook ack: p99 under 25 ms and within 2× of health. */
export const ACK_TARGET = { p99Ms: 25, ratio: 2 } as const;

/**
 * Prints one integration's ack run (the webhook route against the health route, their ratio, any
 * failures and the target's verdict) and returns the verdict.
 */
export function reportAck(
  log: (line: string) => void,
  title: string,
  route: { path: string; short: string },
  ack: VariantResult,
): { p99: boolean; ratio: boolean } {
  log(title);
  log(header());
  log(row(`POST ${route.path}`, ack.webhook, `${ack.accepted} × 200, ${ack.failed} failed`));
  log(row("GET /api/v1/health", ack.health, `${ack.healthFailed} failed`));
  log(`  ratio ${route.short} / health: p50 ${ack.ratio.p50.toFixed(2)}×, p99 ${ack.ratio.p99.toFixed(2)}×`);
  for (const f of ack.failures) log(`  failure: ${f.status} ${f.body}`);
  const met = { p99: ack.webhook.p99 < ACK_TARGET.p99Ms, ratio: ack.ratio.p99 <= ACK_TARGET.ratio };
  log(
    `  target p99 < ${ms(ACK_TARGET.p99Ms)}: ${met.p99 ? "met" : "MISSED"}; ratio ≤ ${ACK_TARGET.ratio}: ${met.ratio ? "met" : "MISSED"}`,
  );
  return met;
}
