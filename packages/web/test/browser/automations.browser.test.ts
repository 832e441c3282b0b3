/**
 * Automations in a real browser against the real Worker: an admin creates a webhook automation,
 * sees its signing secret once with the inbound URL and an empty run history, tries a payload on
 * the saved automation, then sends the curl hint exactly as the page shows it (bash, openssl,
 * curl) and watches the delivery appear in the run history with its session. A reload forgets
 * the secret.
 */
import { execFile } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserStack, startBrowserStack } from "./browser-stack";
import { launchChromium } from "./chromium";
import { screenshot, signIn } from "./dashboard-page";

let stack: BrowserStack;
let browser: Browser;
let page: Page;
let automationId = "";
let curlHint = "";

beforeAll(async () => {
  stack = await startBrowserStack();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

function runBash(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", script], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/** userEvent-like typing of braces is fiddly; fill sets the text as it is. */
async function fill(label: string, text: string) {
  await page.getByLabel(label, { exact: true }).fill(text);
}

describe("automations in the dashboard", () => {
  it("starts with no automations", async () => {
    await signIn(page, stack.url);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Automations" }).click();
    await page.getByRole("heading", { name: "Automations", exact: true }).waitFor();
    await page.getByText("No automations yet").waitFor();
  });

  it("creates a webhook automation and shows its secret once, its URL and an empty run history", async () => {
    await page.getByRole("link", { name: "New automation" }).click();
    await page.getByRole("heading", { name: "New automation" }).waitFor();
    await fill("Name", "Summarise deliveries");
    const picker = page.getByLabel("Fixed repository", { exact: true });
    await picker.waitFor();
    if ((await picker.evaluate((el) => el.tagName)) === "SELECT")
      await picker.selectOption("local:demo-repo");
    else await picker.fill("demo-repo");
    await fill("Prompt template", "Write notes/{{payload.topic}}.md about {{payload.topic}}.");
    await fill("Filter (optional)", "payload.topic exists");
    await screenshot(page, "automation-form");
    await page.getByRole("button", { name: "Create automation" }).click();

    await page.waitForURL(/\/automations\/[0-9a-z]{26}$/);
    automationId = page.url().split("/").pop()!;
    await page.getByRole("heading", { name: "Summarise deliveries" }).waitFor();
    const secret = (await page.getByTestId("secret-value").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32,}$/);
    expect(await page.getByTestId("inbound-url").textContent()).toBe(
      `${stack.url}/webhooks/in/${automationId}`,
    );
    curlHint = (await page.getByTestId("curl-hint").textContent()) ?? "";
    expect(curlHint).toContain(secret);
    await page.getByText("No runs yet").waitFor();
    expect(await page.getByTestId("automation-state").textContent()).toBe("active");
    await screenshot(page, "automation-created");

    // The Worker never answers with it again.
    const stored = await page.evaluate(async (id) => {
      const me = await (await fetch("/api/v1/me")).json();
      return (await fetch(`/api/v1/tenants/${me.tenants[0].id}/automations/${id}`)).text();
    }, automationId);
    expect(stored).toContain("Summarise deliveries");
    expect(stored).not.toContain(secret);
  });

  it("shows the secret no more after a reload", async () => {
    await page.goto(`${stack.url}/automations/${automationId}`);
    await page.getByRole("heading", { name: "Summarise deliveries" }).waitFor();
    await page.getByText("No runs yet").waitFor();
    expect(await page.getByTestId("automation-secret").count()).toBe(0);
  });

  it("tests a sample payload against the saved automation", async () => {
    await fill("Sample payload (JSON)", '{"topic":"release"}');
    await page.getByRole("button", { name: "Test payload" }).click();
    await expect.poll(() => page.getByTestId("tester-result").textContent()).toContain("Matched");
    expect(await page.getByTestId("rendered-prompt").textContent()).toContain(
      "notes/release.md about release",
    );

    await fill("Sample payload (JSON)", '{"subject":"release"}');
    await page.getByRole("button", { name: "Test payload" }).click();
    await expect.poll(() => page.getByTestId("tester-result").textContent()).toContain("Skipped");
  });

  it("takes the deliveries the curl hint sends and lists them in the run history, the started one with its session", async () => {
    // As shown, the hint sends {"hello":"world"}: signed right, and declined by the filter.
    const skipped = JSON.parse(await runBash(curlHint)) as { skipped?: string };
    expect(skipped.skipped).toBe("the filter did not match the payload");
    // With the body edited, as a person would, it starts a session.
    const started = JSON.parse(
      await runBash(curlHint.replace(/^BODY=.*$/m, `BODY='{"topic":"release"}'`)),
    ) as { sessionId: string };
    expect(started.sessionId).toMatch(/^[0-9a-z]{26}$/);

    await expect.poll(() => page.locator("[data-run-id]").count(), { timeout: 20_000 }).toBe(2);
    const [newest, older] = [page.locator("[data-run-id]").nth(0), page.locator("[data-run-id]").nth(1)];
    expect(await newest.locator("[data-label='Outcome']").textContent()).toBe("Started");
    expect(await newest.getByRole("link", { name: /^Session of run/ }).getAttribute("href")).toBe(
      `/sessions/${started.sessionId}`,
    );
    expect(await older.locator("[data-label='Outcome']").textContent()).toBe("Skipped");
    expect(await older.locator("[data-label='Reason']").textContent()).toBe(
      "the filter did not match the payload",
    );
    const sessionId = started.sessionId;
    await screenshot(page, "automation-run-history");

    // The session list names the automation that started it (created right after the 202: the
    // session's own page answers once it exists).
    await expect
      .poll(
        () =>
          page.evaluate(
            async (id) => (await fetch(`/api/v1/sessions/${id}`, { credentials: "same-origin" })).status,
            sessionId,
          ),
        { timeout: 20_000 },
      )
      .toBe(200);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sessions" }).click();
    const badge = page.locator(`tr[data-session-id='${sessionId}'] [data-testid='session-automation']`);
    await badge.waitFor();
    expect(await badge.textContent()).toContain("Summarise deliveries");
  });
});
