/**
 * The analytics report as CSV (RFC 4180): one row per group, then a total. A field that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe, since
 * group keys are user-controlled (repository paths, names).
 */
import type { AnalyticsFigures, AnalyticsReport } from "@nightshift/protocol";

const COLUMNS: [string, (f: AnalyticsFigures) => string | number][] = [
  ["sessions", (f) => f.sessions],
  ["succeeded", (f) => f.succeeded],
  ["failed", (f) => f.failed],
  ["success_rate", (f) => (f.successRate === null ? "" : f.successRate.toFixed(4))],
  ["prs_opened", (f) => f.prsOpened],
  ["prs_merged", (f) => f.prsMerged],
  ["model_calls", (f) => f.calls],
  ["input_tokens", (f) => f.inputTokens],
  ["output_tokens", (f) => f.outputTokens],
  ["cache_read_tokens", (f) => f.cacheReadTokens],
  ["cache_creation_tokens", (f) => f.cacheCreationTokens],
  ["cost_usd", (f) => f.costUsd.toFixed(6)],
];

export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function analyticsCsv(report: AnalyticsReport): string {
  const header = ["from", "to", report.groupBy, "label", ...COLUMNS.map(([name]) => name)];
  const line = (key: string, label: string, f: AnalyticsFigures) =>
    [report.from, report.to, key, label, ...COLUMNS.map(([, get]) => get(f))].map(csvField).join(",");
  const rows = report.groups.map((g) => line(g.key, g.label, g));
  return `${[header.join(","), ...rows, line("(total)", "", report.totals)].join("\r\n")}\r\n`;
}

export function csvFilename(report: AnalyticsReport): string {
  return `nightshift-analytics-${report.groupBy}-${report.from}-${report.to}.csv`;
}
