/**
 * `nightshift login`'s browser half in a real browser against the real Worker: a terminal starts
 * a device sign-in, the signed-in user opens the verification link, checks the code, approves,
 * and the terminal's next poll gets an API key that works. Then /api-docs renders the document
 * the Worker serves.
 */
import { DeviceAuthorization, DeviceTokenResponse, MeResponse } from "@nightshift/protocol";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserStack, startBrowserStack } from "./browser-stack";
import { launchChromium } from "./chromium";
import { screenshot, signIn } from "./dashboard-page";

let stack: BrowserStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startBrowserStack();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("device sign-in and the API reference in the browser", () => {
  it("approves a terminal's code from the verification link; the terminal's next poll gets a working key", async () => {
    await signIn(page, stack.url);
    const started = DeviceAuthorization.parse(
      await (
        await fetch(`${stack.workerUrl}/auth/device`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ client_name: "nightshift CLI on browser-test" }),
        })
      ).json(),
    );
    const link = new URL(started.verification_uri_complete);
    await page.goto(`${stack.url}${link.pathname}${link.search}`);
    await page.getByRole("heading", { name: "Sign in a terminal" }).waitFor();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("nightshift CLI on browser-test").waitFor();
    await expect.poll(() => page.getByText(started.user_code, { exact: true }).count()).toBe(1);
    await page.getByLabel("Key role").selectOption("member");
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText(/The terminal now has its own API key/).waitFor();
    await screenshot(page, "device-approved");

    const res = await fetch(`${stack.workerUrl}/auth/device/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ device_code: started.device_code }),
    });
    expect(res.status).toBe(200);
    const token = DeviceTokenResponse.parse(await res.json());
    const me = MeResponse.parse(
      await (
        await fetch(`${stack.workerUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token.key}` } })
      ).json(),
    );
    expect(me.apiKey).toMatchObject({ tenantId: token.tenantId, role: "member" });
  });

  it("renders the served OpenAPI document at /api-docs", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API" }).click();
    await page.getByRole("heading", { name: /Nightshift control plane API/ }).waitFor();
    const sessions = page.getByRole("region", { name: "sessions" });
    await sessions.getByText("Start a session").first().click();
    await expect.poll(() => sessions.getByText("prompt", { exact: true }).first().isVisible()).toBe(true);
    await page.getByLabel("Filter").fill("device");
    await expect.poll(() => page.getByText("Poll for the device sign-in's API key").count()).toBe(1);
    await expect.poll(() => page.getByText("Start a session").count()).toBe(0);
    await screenshot(page, "api-docs");
  });
});
