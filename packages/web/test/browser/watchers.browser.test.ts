/**
 * Several watchers of one session, against the real Worker: two people in two browser contexts
 * see every event and each other's presence (and typing); a reload in the middle of a stream and a
 * dropped connection both resume from the cursor, so each event is on the page exactly once.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
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
let owner: { context: BrowserContext; page: Page };
let grace: { context: BrowserContext; page: Page };
let runtime: ScriptedRuntime;
let sessionId = "";

const LONG_ANSWER = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");

async function person(name: string) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await signIn(page, stack.url, name);
  return { context, page };
}

async function expectExactlyOnce(page: Page) {
  const expected = expectedKeys(await storedEvents(page, sessionId));
  await expect.poll(() => renderedKeys(page), { timeout: LONG_WAIT }).toEqual(expected);
  expect(new Set(expected).size).toBe(expected.length);
}

beforeAll(async () => {
  stack = await startBrowserStack();
  browser = await launchChromium();
  owner = await person("");
  grace = await person("Grace Hopper");
});

afterAll(async () => {
  runtime?.close();
  await browser?.close();
  await stack?.close();
});

describe("watching together", () => {
  it("shows both watchers every event and each other's presence", async () => {
    sessionId = await startSession(owner.page, "demo-repo", "Write the changelog.");
    runtime = await ScriptedRuntime.connect(stack.workerUrl, await stack.sandboxTokenFor(sessionId));
    const prompt = await runtime.nextPrompt();

    await grace.page.goto(`${stack.url}/sessions/${sessionId}`);
    for (const { page } of [owner, grace]) {
      const presence = page.getByTestId("presence");
      await expect.poll(() => presence.locator("li").count()).toBe(2);
      expect(await presence.textContent()).toContain("Grace Hopper");
      expect(await presence.textContent()).toContain("Local User");
    }
    expect(await owner.page.getByTestId("presence").textContent()).toContain("Local User (you)");
    expect(await grace.page.getByTestId("presence").textContent()).toContain("Grace Hopper (you)");

    // Typing in one page shows in the other.
    await grace.page.getByLabel("Follow-up prompt").fill("looks good");
    await owner.page.getByText("Grace Hopper is typing…").waitFor();
    await grace.page.getByLabel("Follow-up prompt").fill("");
    await expect.poll(() => owner.page.getByText("Grace Hopper is typing…").count()).toBe(0);

    await runtime.play(scriptedTurn(prompt.promptId, 1, "The changelog now lists **3** entries."), 20);
    for (const { page } of [owner, grace]) {
      await page.locator(".entry-push").waitFor({ timeout: LONG_WAIT });
      await expectExactlyOnce(page);
    }
    expect(await renderedKeys(grace.page)).toEqual(await renderedKeys(owner.page));
    await screenshot(grace.page, "session-two-watchers");
  });

  it("a reload mid-stream shows each event exactly once", async () => {
    await owner.page.getByLabel("Follow-up prompt").fill("Expand every entry.");
    await owner.page.getByRole("button", { name: "Send" }).click();
    const prompt = await runtime.nextPrompt();
    const playing = runtime.play(scriptedTurn(prompt.promptId, 2, LONG_ANSWER), 40);
    await grace.page.locator(".entry-message.streaming").waitFor({ timeout: LONG_WAIT });
    await grace.page.reload();
    // Back in the middle of the stream: the message is still growing after the reload.
    await grace.page.locator(".entry-message.streaming").waitFor({ timeout: LONG_WAIT });
    await playing;
    await grace.page.locator(".entry-push").nth(1).waitFor({ timeout: LONG_WAIT });
    await expectExactlyOnce(grace.page);
    await expectExactlyOnce(owner.page);
    const last = grace.page.locator(".entry-message").last();
    expect((await last.textContent())?.trim()).toBe(LONG_ANSWER);
  });

  it("a dropped connection resumes from the cursor without gaps or duplicates", async () => {
    await owner.page.getByLabel("Follow-up prompt").fill("One more pass.");
    await owner.page.getByRole("button", { name: "Send" }).click();
    const prompt = await runtime.nextPrompt();
    const playing = runtime.play(scriptedTurn(prompt.promptId, 3, LONG_ANSWER), 40);
    await owner.page.locator(".entry-message.streaming").waitFor({ timeout: LONG_WAIT });
    // Cut both pages' sockets mid-stream, the way a flaky network would (no close frame).
    expect(stack.dashboard.dropSockets()).toBeGreaterThanOrEqual(2);
    for (const { page } of [owner, grace]) {
      await expect
        .poll(() => page.getByTestId("connection").textContent(), { timeout: LONG_WAIT })
        .toMatch(/reconnecting|Live|Loading history/);
    }
    await playing;
    for (const { page } of [owner, grace]) {
      await page.locator(".entry-push").nth(2).waitFor({ timeout: LONG_WAIT });
      await expect
        .poll(() => page.getByTestId("connection").textContent(), { timeout: LONG_WAIT })
        .toBe("Live");
      await expectExactlyOnce(page);
    }
  });

  it("tells the others when someone leaves", async () => {
    await grace.context.close();
    await expect
      .poll(() => owner.page.getByTestId("presence").locator("li").count(), { timeout: LONG_WAIT })
      .toBe(1);
  });
});
