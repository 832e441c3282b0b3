/**
 * Settings → Linear: not configured, not connected (admins connect, members cannot), connected
 * with the workspace and its team repositories (admins map one, or disconnect), the landing after
 * Linear's redirect, the connect-your-account page, and a Linear session's link to its issue.
 */
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME, renderPage } from "../../test/render";
import type { Me, Role } from "../auth/auth-api";
import type { LinearConnection } from "./linear-api";
import { LinearIssueLink } from "./linear-issue-link";
import SettingsPage from "./settings-page";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const LINEAR_PATH = "/api/v1/tenants/t1/linear";
const TEAM = "7d1e4b8a-2f7c-4c55-9a51-0d3b2f8e6c11";

function meAs(role: Role): Me {
  return { ...ADMIN_ME, tenants: [{ ...ADMIN_ME.tenants[0]!, role }] };
}

function connection(over: Partial<LinearConnection> = {}): LinearConnection {
  return { configured: true, connected: false, organization: null, teams: [], ...over };
}

const CONNECTED = connection({
  connected: true,
  organization: { id: "org-acme", name: "Acme Linear", connectedAt: "2026-12-01T09:00:00.000Z" },
  teams: [{ teamId: TEAM, repository: "acme/web" }],
});

function open(me: Me, path = "/settings/linear") {
  renderPage(<SettingsPage />, { path, route: "/settings/*", me });
}

describe("Linear settings", () => {
  it("says when the deployment has no Linear app", async () => {
    routeFetch({ [`GET ${LINEAR_PATH}`]: () => json(connection({ configured: false })) });
    open(meAs("admin"));
    await screen.findByText("docs/linear-app.md");
    expect(screen.queryByRole("button", { name: /Connect Linear/ })).toBeNull();
  });

  it("offers admins to connect, and sends them to Linear's install page", async () => {
    const calls = routeFetch({
      [`GET ${LINEAR_PATH}`]: () => json(connection()),
      [`POST ${LINEAR_PATH}/connect`]: () =>
        json({ url: "https://linear.app/oauth/authorize?client_id=c&actor=app" }),
    });
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
    open(meAs("admin"));
    expect(screen.getByRole("link", { name: "Linear" })).toBeTruthy();
    await userEvent.click(await screen.findByRole("button", { name: "Connect Linear" }));
    await waitFor(() =>
      expect(assign).toHaveBeenCalledWith("https://linear.app/oauth/authorize?client_id=c&actor=app"),
    );
    expect(calls.some((c) => c.method === "POST" && c.path === `${LINEAR_PATH}/connect`)).toBe(true);
    expect(screen.getByText("not connected")).toBeTruthy();
  });

  it("shows members the connected workspace and its team repositories read-only", async () => {
    routeFetch({ [`GET ${LINEAR_PATH}`]: () => json(CONNECTED) });
    open(meAs("member"));
    await screen.findByText("Acme Linear");
    expect(screen.getByText("connected")).toBeTruthy();
    expect(screen.getByText("An admin can connect or disconnect Linear.")).toBeTruthy();
    expect(screen.getByText("acme/web")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Disconnect Linear" })).toBeNull();
    expect(screen.queryByLabelText("Team id")).toBeNull();
  });

  it("lets an admin map a team to a repository", async () => {
    const calls = routeFetch({
      [`GET ${LINEAR_PATH}`]: () => json(CONNECTED),
      [`PUT ${LINEAR_PATH}/teams/team-api`]: () =>
        json({ ...CONNECTED, teams: [...CONNECTED.teams, { teamId: "team-api", repository: "acme/api" }] }),
    });
    open(meAs("admin"));
    await userEvent.type(await screen.findByLabelText("Team id"), "team-api");
    await userEvent.type(screen.getByLabelText("Repository"), "acme/api");
    await userEvent.click(screen.getByRole("button", { name: "Set repository" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ repository: "acme/api" });
  });

  it("lets an admin disconnect the workspace", async () => {
    const calls = routeFetch({
      [`GET ${LINEAR_PATH}`]: () => json(CONNECTED),
      [`DELETE ${LINEAR_PATH}`]: () => new Response(null, { status: 204 }),
    });
    open(meAs("admin"));
    await userEvent.click(await screen.findByRole("button", { name: "Disconnect Linear" }));
    await waitFor(() =>
      expect(calls.some((c) => c.method === "DELETE" && c.path === LINEAR_PATH)).toBe(true),
    );
  });

  it("lands on the Linear tab after Linear's redirect and says how it went", async () => {
    routeFetch({ [`GET ${LINEAR_PATH}`]: () => json(CONNECTED) });
    open(meAs("admin"), "/settings?linear=error&message=already%20connected%20elsewhere");
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Linear was not connected: already connected elsewhere",
    );
    await screen.findByText("Acme Linear");
  });

  it("links the member's Linear account from the connect link and says the delegation starts", async () => {
    const calls = routeFetch({
      [`POST ${LINEAR_PATH}/link`]: () => json({ organizationId: "org-acme", resumed: true }),
    });
    open(meAs("member"), "/settings/linear/link?tenant=t1&token=abc.def.ghi");
    await userEvent.click(await screen.findByRole("button", { name: "Connect my Linear account" }));
    await screen.findByText(/Your Linear account is connected\. The issue you delegated is starting now/);
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ token: "abc.def.ghi" });
  });

  it("links a Linear-started session back to its issue", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/sessions/01abc/linear-issue": () =>
        json({ issueId: "i1", identifier: "ENG-42", url: "https://linear.app/acme/issue/ENG-42/fix-it" }),
    });
    renderPage(<LinearIssueLink sessionId="01abc" />, {
      path: "/sessions/01abc",
      route: "/sessions/:id",
      me: meAs("member"),
    });
    const link = await screen.findByTestId("linear-issue-link");
    expect(link.textContent).toBe("Linear issue ENG-42");
    expect(link.getAttribute("href")).toBe("https://linear.app/acme/issue/ENG-42/fix-it");
  });

  it("never turns a non-http issue URL into a link", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/sessions/01abc/linear-issue": () =>
        json({ issueId: "i1", identifier: "ENG-42", url: "javascript:alert(1)" }),
    });
    renderPage(<LinearIssueLink sessionId="01abc" />, {
      path: "/sessions/01abc",
      route: "/sessions/:id",
      me: meAs("member"),
    });
    const label = await screen.findByTestId("linear-issue-link");
    expect(label.tagName).toBe("SPAN");
  });
});
