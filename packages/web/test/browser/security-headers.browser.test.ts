/**
 * The dashboard as the Worker serves it under `wrangler dev` (wrangler.toml's [assets]: this
 * build, with its _headers): a strict Content-Security-Policy and no framing on every page, and a
 * dashboard that still works under that policy (no violation while signing in and browsing).
 */
import type { Browser, ConsoleMessage, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserStack, startBrowserStack } from "./browser-stack";
import { launchChromium } from "./chromium";
import { signIn } from "./dashboard-page";

let stack: BrowserStack;
let browser: Browser;
let page: Page;
const violations: string[] = [];

beforeAll(async () => {
  stack = await startBrowserStack();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on("console", (message: ConsoleMessage) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("the dashboard's security headers", () => {
  it("serves every dashboard page with a strict CSP and frame-ancestors 'none'", async () => {
    for (const path of ["/", "/sessions/01jd0000000000000000000000", "/settings", "/theme-init.js"]) {
      const res = await fetch(`${stack.workerUrl}${path}`);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).not.toContain("unsafe-inline");
      expect(csp, path).not.toContain("unsafe-eval");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      await res.body?.cancel();
    }
  });

  it("keeps working under that policy: sign-in, the session list and a dark theme load without a violation", async () => {
    await page.goto(stack.url);
    await page.evaluate(() => localStorage.setItem("nightshift.theme", "dark"));
    await signIn(page, stack.url);
    await page.reload();
    await page.getByRole("heading", { name: "Sessions", exact: true }).waitFor();
    // The theme script is a file now (no inline script is allowed) and still runs before paint.
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(violations).toEqual([]);
  });
});
