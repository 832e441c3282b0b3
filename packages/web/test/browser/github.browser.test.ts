/**
 * The GitHub flow in a real browser, on the full local stack (the Worker serving this dashboard
 * build, the sandbox host, the real `claude` CLI, the scripted model) against the testkit GitHub
 * double: sign in with GitHub, connect the App from Settings through GitHub's install page and the
 * Setup URL, pick the GitHub repository, and watch the session push and open its draft PR.
 */
import { type Stack, startStack } from "@nightshift/devstack";
import type { Session } from "@nightshift/protocol";
import { type GithubDouble, startGithubDouble } from "@nightshift/testkit/github";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium";
import { LONG_WAIT, screenshot } from "./dashboard-page";

const OWNER = "octo";
const REPO = "widgets";
let gh: GithubDouble;
let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  gh = await startGithubDouble({
    app: { slug: "nightshift-ui" },
    users: [{ id: 201, login: OWNER, name: "Octo Cat" }],
    repos: [{ owner: OWNER, name: REPO, files: { "README.md": "# widgets\n" } }],
    installations: [{ id: 31, account: OWNER, repos: [`${OWNER}/${REPO}`] }],
  });
  stack = await startStack({ forceScriptedModel: true, github: gh });
  gh.setWebhookUrl(`${stack.url}/webhooks/github`);
  gh.setSetupUrl(`${stack.url}/auth/github/setup`);
  // The person at the keyboard is signed in to GitHub as octo.
  gh.signInBrowser(OWNER);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await gh?.close();
});

describe("GitHub in the dashboard", () => {
  it("signs in with GitHub and connects the App from Settings", async () => {
    await page.goto(stack.url);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.getByRole("heading", { name: "Sessions", exact: true }).waitFor();

    await page.goto(`${stack.url}/settings/github`);
    await page.getByRole("button", { name: "Connect GitHub" }).click();
    // GitHub's install page → the Setup URL → GitHub's OAuth check → back on Settings.
    await page.getByText("GitHub connected.").waitFor({ timeout: 30_000 });
    await page.getByText(`${OWNER}/${REPO}`).first().waitFor();
    await expect.poll(() => page.getByText(/label an issue/).count()).toBeGreaterThan(0);
    await screenshot(page, "github-settings");
  }, 60_000);

  it(
    "starts a session on the GitHub repository and shows its draft pull request",
    async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New session" }).click();
      await page.getByRole("heading", { name: "New session" }).waitFor();
      await page.getByLabel("Repository", { exact: true }).selectOption(`github:${OWNER}/${REPO}`);
      await page.getByLabel("Prompt").fill("Add docs/ui.md describing the widgets.");
      await page.getByRole("button", { name: "Start session" }).click();
      await page.waitForURL(/\/sessions\/[0-9a-z]{26}$/);
      const sessionId = page.url().split("/").pop()!;

      const link = page.getByTestId("pr-link");
      await link.waitFor({ timeout: LONG_WAIT });
      const href = await link.getAttribute("href");
      const pull = gh.pulls(OWNER, REPO)[0];
      expect(pull).toBeDefined();
      expect(href).toBe(`${gh.url}/${OWNER}/${REPO}/pull/${pull?.number}`);
      expect(pull?.draft).toBe(true);
      // Signed in with GitHub, so the PR is octo's own.
      expect(pull?.user.login).toBe(OWNER);
      expect(await gh.readFile(OWNER, REPO, pull?.head ?? "", "docs/ui.md")).toContain("docs/ui.md");
      await screenshot(page, "github-session");

      const session = (await page.evaluate(async (id) => {
        const me = await (await fetch("/api/v1/me")).json();
        return (await fetch(`/api/v1/tenants/${me.tenants[0].id}/sessions/${id}`)).json();
      }, sessionId)) as Session;
      expect(session.prUrl).toBe(href);
    },
    LONG_WAIT + 30_000,
  );
});
