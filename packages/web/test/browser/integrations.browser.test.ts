/**
 * Connecting Slack and Linear in a real browser, on the full local stack (the Worker serving this
 * dashboard build) against the testkit Slack and Linear doubles: an admin opens Settings, presses
 * the install button, approves on the provider's OAuth page (Slack's shows the workspace with
 * Allow and Cancel; Linear's double approves at once), and lands back on Settings showing the
 * connected workspace (or, cancelled, why it is not).
 */
import { type Stack, startStack } from "@nightshift/devstack";
import { type LinearDouble, startLinearDouble } from "@nightshift/testkit/linear";
import { type SlackDouble, startSlackDouble } from "@nightshift/testkit/slack";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium";
import { screenshot, signIn } from "./dashboard-page";

const WORKSPACE = {
  teamId: "T0UI",
  teamName: "Acme UI",
  botUserId: "U0NIGHTSHIFT",
  botToken: "xoxb-ui-token",
};
const LINEAR_APP = { clientId: "lin-ui-client", clientSecret: "lin-ui-client-secret" };
let slack: SlackDouble;
let linear: LinearDouble;
let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  slack = await startSlackDouble({ workspaces: [WORKSPACE] });
  linear = await startLinearDouble({ ...LINEAR_APP, organization: { id: "org-ui", name: "Acme Linear" } });
  stack = await startStack({
    forceScriptedModel: true,
    vars: {
      SLACK_CLIENT_ID: "slack-client-id",
      SLACK_CLIENT_SECRET: "slack-client-secret",
      SLACK_SIGNING_SECRET: "ui-slack-signing-secret",
      SLACK_API_URL: slack.apiUrl,
      SLACK_WEB_URL: slack.url,
      LINEAR_CLIENT_ID: LINEAR_APP.clientId,
      LINEAR_CLIENT_SECRET: LINEAR_APP.clientSecret,
      LINEAR_WEBHOOK_SECRET: "ui-linear-webhook-secret",
      LINEAR_API_URL: linear.url,
      LINEAR_WEB_URL: linear.url,
    },
  });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, stack.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await linear?.close();
  await slack?.close();
});

async function connection(kind: "slack" | "linear"): Promise<{ connected: boolean }> {
  return page.evaluate(async (path) => {
    const me = await (await fetch("/api/v1/me")).json();
    return (await fetch(`/api/v1/tenants/${me.tenants[0].id}/${path}`)).json();
  }, kind);
}

describe("connecting integrations from Settings", () => {
  it("connects Slack through Slack's install page and shows the workspace", async () => {
    await page.goto(`${stack.url}/settings/slack`);
    await page.getByText("not connected").waitFor();
    // Cancelled on Slack's page: back on Settings, saying so, and still not connected.
    await page.getByRole("button", { name: "Connect Slack" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText(/Slack was not connected: Slack did not finish the install/).waitFor();
    expect(await connection("slack")).toMatchObject({ connected: false });
    await page.getByRole("button", { name: "Connect Slack" }).click();
    // Slack's own page (the double's): the workspace, the scopes, Allow.
    await page.getByRole("heading", { name: /access the Acme UI Slack workspace/ }).waitFor();
    expect(await page.getByText("app_mentions:read").count()).toBe(1);
    await page.getByRole("button", { name: "Allow" }).click();
    await page.getByText("Slack is connected.").waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe("/settings/slack");
    await page.getByText(WORKSPACE.teamName).waitFor();
    await expect.poll(() => page.getByRole("button", { name: "Disconnect Slack" }).count()).toBe(1);
    expect(await connection("slack")).toMatchObject({ connected: true, workspace: { id: WORKSPACE.teamId } });
    await screenshot(page, "slack-settings");
  }, 60_000);

  it("connects Linear through Linear's authorize redirect and shows the workspace", async () => {
    await page.goto(`${stack.url}/settings/linear`);
    await page.getByText("not connected").waitFor();
    await page.getByRole("button", { name: "Connect Linear" }).click();
    await page.getByText("Linear is connected.").waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe("/settings/linear");
    await page.getByText("Acme Linear").waitFor();
    await expect.poll(() => page.getByRole("button", { name: "Disconnect Linear" }).count()).toBe(1);
    expect(await connection("linear")).toMatchObject({ connected: true, organization: { id: "org-ui" } });
    await screenshot(page, "linear-settings");
  }, 60_000);
});
