/**
 * One person's path through the dashboard against the real Worker: sign in, an empty list, a new
 * session whose events stream in (token deltas, a tool call, usage, the push, the PR), a
 * follow-up queued while a turn runs, stop, the list, settings, and the narrow dark layout.
 * Screenshots of the main pages land in artifacts/.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserStack, startBrowserStack } from "./browser-stack";
import { launchChromium } from "./chromium";
import {
  expectedKeys,
  LONG_WAIT,
  renderedKeys,
  screenshot,
  signIn,
  startSession,
  storedEvents,
} from "./dashboard-page";
import { ScriptedRuntime, scriptedTurn } from "./scripted-runtime";

let stack: BrowserStack;
let browser: Browser;
let page: Page;
let runtime: ScriptedRuntime;
let sessionId = "";

const ANSWER =
  "I added **notes/turn-1.md** with a short summary of the project.\n\n- what it does\n- how to run it\n\nNothing else changed.";

beforeAll(async () => {
  stack = await startBrowserStack();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  page = await context.newPage();
});

afterAll(async () => {
  runtime?.close();
  await browser?.close();
  await stack?.close();
});

describe("the dashboard, end to end", () => {
  it("signs in with the dev login and shows the empty sessions list", async () => {
    await page.goto(stack.url);
    await page.getByRole("heading", { name: "Sign in to Nightshift" }).waitFor();
    await screenshot(page, "sign-in");
    await signIn(page, stack.url);
    await page.getByText("No sessions yet").waitFor();
    await screenshot(page, "sessions-empty");
  });

  it("offers the deployment's agents on the new-session page, its default preselected", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New session" }).click();
    const agent = page.getByLabel("Agent", { exact: true });
    await agent.waitFor();
    expect(await agent.inputValue()).toBe("claude-code");
    expect(await agent.locator("option").allTextContents()).toEqual([
      "Claude Code (default)",
      "Codex",
      "OpenCode",
      "Gemini CLI",
      "Pi",
    ]);
    expect(await page.getByLabel("Model", { exact: true }).getAttribute("placeholder")).toBe(
      "claude-sonnet-4-5 (default)",
    );
  });

  it("creates a session and shows the agent's events as they stream in", async () => {
    sessionId = await startSession(
      page,
      "demo-repo",
      "Add notes/turn-1.md with a short summary of the project.",
    );
    await page.locator(".entry-prompt").first().waitFor();
    runtime = await ScriptedRuntime.connect(stack.workerUrl, await stack.sandboxTokenFor(sessionId));
    const prompt = await runtime.nextPrompt();
    expect(prompt.text).toContain("notes/turn-1.md");
    const turn = scriptedTurn(prompt.promptId, 1, ANSWER);
    const playing = runtime.play(turn, 40);
    // Mid-stream: the message is on the page, still growing.
    await page.locator(".entry-message.streaming").waitFor({ timeout: LONG_WAIT });
    await screenshot(page, "session-streaming");
    await playing;
    await page.locator(".entry-push").waitFor({ timeout: LONG_WAIT });
    const message = page.locator(".entry-message").first();
    await expect.poll(() => message.locator("strong").textContent()).toBe("notes/turn-1.md");
    expect(await message.locator("li").count()).toBe(2);
    expect(await page.locator(".entry-message.streaming").count()).toBe(0);
    expect(await page.getByTestId("session-cost").textContent()).toBe("$0.01");
    expect(await page.getByText("1.2k in · 90 out").count()).toBe(1);
    await expect.poll(() => page.getByTestId("session-status").textContent()).toContain("idle");
    // A tool call opens from the keyboard and shows its input and output.
    const tool = page.locator("details.tool").first();
    await tool.locator("summary").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => tool.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await tool.locator(".tool-body").textContent()).toContain("File created successfully");
    await screenshot(page, "session");
    // Everything in the log is on the page, each exactly once.
    expect(await renderedKeys(page)).toEqual(expectedKeys(await storedEvents(page, sessionId)));
  });

  it("queues a follow-up while a turn runs, then stops the session", async () => {
    const followUp = page.getByLabel("Follow-up prompt");
    await followUp.fill("Also mention the licence.");
    await page.getByRole("button", { name: "Send" }).click();
    const second = await runtime.nextPrompt();
    expect(second.text).toBe("Also mention the licence.");
    // While turn 2 streams, a third prompt waits in the queue, and the page says so.
    const playing = runtime.play(
      scriptedTurn(second.promptId, 2, "Mentioned the licence in the notes."),
      150,
    );
    await page.getByRole("button", { name: "Queue follow-up" }).waitFor();
    await followUp.fill("And add a table of contents.");
    await page.getByRole("button", { name: "Queue follow-up" }).click();
    await page.locator(".entry-queued").waitFor();
    expect(await page.locator(".entry-queued").textContent()).toContain("And add a table of contents.");
    await playing;
    const third = await runtime.nextPrompt();
    expect(third.text).toBe("And add a table of contents.");
    await expect.poll(() => page.locator(".entry-queued").count()).toBe(0);
    await runtime.play(scriptedTurn(third.promptId, 3, "Added a table of contents."));
    await expect.poll(() => page.locator(".entry-push").count()).toBe(3);
    // 0.0125 + 0.025 + 0.0375 (usage adds up per turn)
    expect(await page.getByTestId("session-cost").textContent()).toBe("$0.08");

    await page.getByRole("button", { name: "Stop" }).click();
    await expect
      .poll(() => page.getByTestId("session-status").textContent(), { timeout: LONG_WAIT })
      .toContain("stopped");
    expect(await page.getByRole("button", { name: "Stop" }).isDisabled()).toBe(true);
    expect(await followUp.isDisabled()).toBe(true);
    await expect.poll(() => runtime.hasFrame("shutdown")).toBe(true);
    expect(await renderedKeys(page)).toEqual(expectedKeys(await storedEvents(page, sessionId)));
    await screenshot(page, "session-stopped");
  });

  it("lists the session with status, repo, agent, who and trigger; search narrows it", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sessions" }).click();
    const row = page.locator(`tr[data-session-id="${sessionId}"]`);
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("local:demo-repo");
    expect(text).toContain("Claude Code · claude-sonnet-4-5");
    expect(text).toContain("stopped");
    await page.getByLabel("Search").fill("nothing-matches-this");
    await page.getByText("Nothing matches these filters").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await row.waitFor();
    await screenshot(page, "sessions");
  });

  it("lets the owner manage members, API keys and secrets", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: /^Settings/ }).waitFor();
    await page.getByText("No secrets yet").waitFor();
    await page.getByLabel("Name").fill("OPENAI_API_KEY");
    await page.getByLabel("Value").fill("sk-browser-test-secret");
    await page.getByRole("button", { name: "Save secret" }).click();
    await page.locator("code", { hasText: "OPENAI_API_KEY" }).waitFor();
    expect(await page.content()).not.toContain("sk-browser-test-secret");
    await page.getByRole("link", { name: "Members" }).click();
    await page.getByText("(you)").waitFor();
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByLabel("New key name").fill("browser-test");
    await page.getByRole("button", { name: "Create key" }).click();
    const once = page.locator(".secret-once");
    await once.waitFor();
    expect(await once.textContent()).toMatch(/^nsk_/);
    await screenshot(page, "settings-api-key");
    await page.getByRole("button", { name: "Done" }).click();
    expect(await once.count()).toBe(0);
    await page.getByRole("link", { name: "Integrations" }).click();
    await page.getByText("not connected").first().waitFor();
  });

  it("works on a narrow screen in dark mode", async () => {
    const narrow = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
    const phone = await narrow.newPage();
    await signIn(phone, stack.url);
    await phone.locator(`tr[data-session-id="${sessionId}"]`).waitFor();
    expect(await phone.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      "rgb(17, 19, 24)",
    );
    // A theme pinned on <html> wins over the system's preference, both ways.
    const pinned = (theme: string) =>
      phone.evaluate((t) => {
        document.documentElement.setAttribute("data-theme", t);
        const bg = getComputedStyle(document.body).backgroundColor;
        document.documentElement.removeAttribute("data-theme");
        return bg;
      }, theme);
    expect(await pinned("light")).toBe("rgb(247, 247, 249)");
    await phone.emulateMedia({ colorScheme: "light" });
    expect(await phone.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      "rgb(247, 247, 249)",
    );
    expect(await pinned("dark")).toBe("rgb(17, 19, 24)");
    await phone.emulateMedia({ colorScheme: "dark" });
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, "sessions-narrow-dark");
    await phone.goto(`${stack.url}/sessions/${sessionId}`);
    await phone.locator(".entry-push").first().waitFor({ timeout: LONG_WAIT });
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, "session-narrow-dark");
    await narrow.close();
  });
});
