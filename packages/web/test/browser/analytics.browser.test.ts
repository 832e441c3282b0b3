/**
 * The Analytics page in a real browser against the real Worker: two sessions started from the
 * dashboard, model usage and a merged pull request seeded in the Worker's local D1 (as the session
 * DO's roll-up and the GitHub webhook write them), then the page's totals, its four SVG charts,
 * the regrouping by model and the CSV download.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserStack, startBrowserStack } from "./browser-stack";
import { launchChromium } from "./chromium";
import { screenshot, signIn, startSession } from "./dashboard-page";

let stack: BrowserStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startBrowserStack();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 1100 } })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

function d1File(dir: string): string {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const found = d1File(path);
      if (found) return found;
    } else if (entry.endsWith(".sqlite") && dir.includes("D1") && entry !== "metadata.sqlite") return path;
  }
  return "";
}

/** Usage as the roll-ups hold it and one merged PR, for the sessions the dashboard started. */
function seed(sessionIds: string[]): void {
  const file = d1File(join(stack.persistDir, "v3", "d1"));
  if (!file) throw new Error("no local D1 database under the Worker's state");
  const db = new DatabaseSync(file);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const day = new Date().toISOString().slice(0, 10);
    const session = db
      .prepare("SELECT tenant_id AS tenantId, created_by AS userId, agent FROM sessions WHERE id = ?")
      .get(sessionIds[0] ?? "") as { tenantId: string; userId: string; agent: string };
    const usage = db.prepare(
      `INSERT INTO usage_daily (tenant_id, day, user_id, repo, agent, provider, model, calls, input_tokens,
        output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd) VALUES (?, ?, ?, 'local:demo-repo', ?, 'anthropic', ?, ?, ?, ?, 0, 0, ?)`,
    );
    usage.run(
      session.tenantId,
      day,
      session.userId,
      session.agent,
      "claude-sonnet-4-5",
      3,
      30_000,
      1_200,
      1.25,
    );
    usage.run(session.tenantId, day, session.userId, session.agent, "claude-haiku-4-5", 2, 8_000, 400, 0.5);
    db.prepare(
      "INSERT INTO session_pull_merges (session_id, tenant_id, pull_number, merged_at) VALUES (?, ?, 7, ?)",
    ).run(sessionIds[0] ?? "", session.tenantId, new Date().toISOString());
    db.prepare("UPDATE sessions SET pr_url = 'https://github.com/acme/widgets/pull/7' WHERE id = ?").run(
      sessionIds[0] ?? "",
    );
  } finally {
    db.close();
  }
}

const chart = (title: string) => page.locator(`svg[role="img"][aria-label^="${title}:"]`);

describe("the analytics page", () => {
  it("renders totals and charts for seeded sessions and usage", async () => {
    await signIn(page, stack.url);
    const ids = [
      await startSession(page, "demo-repo", "First seeded session"),
      await startSession(page, "demo-repo", "Second seeded session"),
    ];
    seed(ids);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Analytics" }).click();
    await page.getByRole("heading", { name: /^Analytics/ }).waitFor();
    await page.getByText("$1.75").first().waitFor();
    const totals = await page.locator(".analytics-totals").textContent();
    expect(totals).toMatch(/Sessions\s*2/);
    expect(totals).toMatch(/PRs opened\s*1/);
    expect(totals).toMatch(/PRs merged\s*1/);

    expect(await page.locator('svg[role="img"]').count()).toBe(4);
    expect(await chart("Sessions per day").locator("rect").count()).toBe(30);
    await expect
      .poll(() => chart("Sessions per day").locator("rect").last().getAttribute("data-value"))
      .toBe("2");
    expect(await chart("Cost by user").locator("rect").first().getAttribute("data-value")).toBe("1.75");
    await screenshot(page, "analytics-by-user");

    await page.getByLabel("Group by").selectOption("model");
    await chart("Cost by model").waitFor();
    const labels = await chart("Cost by model").locator("text").allTextContents();
    expect(labels).toEqual(
      expect.arrayContaining(["claude-sonnet-4-5", "$1.25", "claude-haiku-4-5", "$0.50"]),
    );
    await screenshot(page, "analytics-by-model");
  });

  it("downloads the report as CSV with the page's range and grouping", async () => {
    const href = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
    expect(href).toMatch(/\/analytics\.csv\?from=.*&groupBy=model$/);
    const csv = await page.evaluate(async (url) => (await fetch(url ?? "")).text(), href);
    expect(csv.split("\r\n")[0]).toMatch(/^from,to,model,label,sessions,/);
    expect(csv).toMatch(/,claude-sonnet-4-5,claude-sonnet-4-5,2,0,0,,1,1,3,30000,1200,0,0,1\.250000\r\n/);
  });
});
