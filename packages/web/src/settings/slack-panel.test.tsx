/**
 * Settings → Slack: not configured, not connected (admins connect, members cannot), connected
 * with the workspace and its channel defaults (admins add one), and the connect-your-account page.
 */
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME, renderPage } from "../../test/render";
import type { Me, Role } from "../auth/auth-api";
import SettingsPage from "./settings-page";
import type { SlackConnection } from "./slack-api";
import { SlackThreadLink } from "./slack-thread-link";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const SLACK_PATH = "/api/v1/tenants/t1/slack";

function meAs(role: Role): Me {
  return { ...ADMIN_ME, tenants: [{ ...ADMIN_ME.tenants[0]!, role }] };
}

function connection(over: Partial<SlackConnection> = {}): SlackConnection {
  return { configured: true, connected: false, workspace: null, channels: [], ...over };
}

const CONNECTED = connection({
  connected: true,
  workspace: { id: "T0ACME", name: "Acme", connectedAt: "2026-12-01T09:00:00.000Z" },
  channels: [{ channelId: "C0WEB", repository: "acme/web" }],
});

function open(me: Me, path = "/settings/slack") {
  renderPage(<SettingsPage />, { path, route: "/settings/*", me });
}

describe("Slack settings", () => {
  it("says when the deployment has no Slack app", async () => {
    routeFetch({ [`GET ${SLACK_PATH}`]: () => json(connection({ configured: false })) });
    open(meAs("admin"));
    await screen.findByText("docs/slack-app.md");
    expect(screen.queryByRole("button", { name: /Connect Slack/ })).toBeNull();
  });

  it("offers admins to connect, and tells members who can", async () => {
    routeFetch({ [`GET ${SLACK_PATH}`]: () => json(connection()) });
    open(meAs("admin"));
    expect(await screen.findByRole("button", { name: "Connect Slack" })).toBeTruthy();
    expect(screen.getByText("not connected")).toBeTruthy();
  });

  it("shows members the connected workspace read-only", async () => {
    routeFetch({ [`GET ${SLACK_PATH}`]: () => json(CONNECTED) });
    open(meAs("member"));
    await screen.findByText("Acme");
    expect(screen.getByText("An admin can connect or disconnect Slack.")).toBeTruthy();
    expect(screen.getByText("acme/web")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Disconnect Slack" })).toBeNull();
    expect(screen.queryByLabelText("Channel id")).toBeNull();
  });

  it("lets an admin set a channel's default repository", async () => {
    const calls = routeFetch({
      [`GET ${SLACK_PATH}`]: () => json(CONNECTED),
      [`PUT ${SLACK_PATH}/channels/C0API`]: () =>
        json({
          ...CONNECTED,
          channels: [...CONNECTED.channels, { channelId: "C0API", repository: "acme/api" }],
        }),
    });
    open(meAs("admin"));
    await userEvent.type(await screen.findByLabelText("Channel id"), "C0API");
    await userEvent.type(screen.getByLabelText("Repository"), "acme/api");
    await userEvent.click(screen.getByRole("button", { name: "Set default" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ repository: "acme/api" });
  });

  it("links the member's Slack account from the connect link", async () => {
    const calls = routeFetch({
      [`GET ${SLACK_PATH}`]: () => json(CONNECTED),
      [`POST ${SLACK_PATH}/link`]: () => json({ teamId: "T0ACME" }),
    });
    open(meAs("member"), "/settings/slack/link?tenant=t1&token=abc.def.ghi");
    await userEvent.click(await screen.findByRole("button", { name: "Connect my Slack account" }));
    await screen.findByText(/Your Slack account is connected/);
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ token: "abc.def.ghi" });
  });

  it("links a Slack-started session back to its thread", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/sessions/01abc/slack-thread": () =>
        json({ url: "https://app.slack.com/client/T0ACME/C0WEB/thread/C0WEB-1700000000.000001" }),
    });
    renderPage(<SlackThreadLink sessionId="01abc" />, {
      path: "/sessions/01abc",
      route: "/sessions/:id",
      me: meAs("member"),
    });
    const link = await screen.findByTestId("slack-thread-link");
    expect(link.getAttribute("href")).toBe(
      "https://app.slack.com/client/T0ACME/C0WEB/thread/C0WEB-1700000000.000001",
    );
  });
});
