import { type GithubConnectionResponse, GithubConnectionResponse as Schema } from "@nightshift/protocol";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME, renderPage } from "../../test/render";
import type { Me, Role } from "../auth/auth-api";
import SettingsPage from "./settings-page";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function meAs(role: Role): Me {
  return { ...ADMIN_ME, tenants: [{ ...ADMIN_ME.tenants[0]!, role }] };
}

const GITHUB_PATH = "/api/v1/tenants/t1/github";

function connection(over: Partial<GithubConnectionResponse> = {}): GithubConnectionResponse {
  return Schema.parse({
    configured: true,
    appSlug: "nightshift-bot",
    triggerLabel: "agent",
    appUrl: "https://github.com/apps/nightshift-bot",
    installations: [],
    ...over,
  });
}

const repo = (id: number, owner: string, name: string) => ({ id, owner, name });
const ACME = {
  id: 11,
  account: "acme",
  connectedAt: "2026-11-20T09:00:00.000Z",
  repositories: Array.from({ length: 7 }, (_, i) => repo(100 + i, "acme", `service-${i}`)),
};
const ADA = {
  id: 12,
  account: "ada",
  connectedAt: "2026-11-21T09:00:00.000Z",
  repositories: [repo(200, "ada", "notes"), repo(201, "ada", "dotfiles")],
};

function openGithubTab(me: Me, path = "/settings/github") {
  renderPage(<SettingsPage />, { path, route: "/settings/*", me });
}

describe("GitHub settings", () => {
  it("says when the deployment has no GitHub App and offers nothing to click", async () => {
    routeFetch({
      [`GET ${GITHUB_PATH}`]: () => json(connection({ configured: false, appSlug: null, appUrl: null })),
    });
    openGithubTab(meAs("owner"));
    await screen.findByText(/ask your operator to configure a GitHub App/);
    expect(screen.getByText("docs/github-app.md")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Connect/ })).toBeNull();
  });

  it("connects: POSTs, shows that it is leaving, then sends the browser to GitHub's install page", async () => {
    const install = "https://github.com/apps/nightshift-bot/installations/new?state=signed.state";
    let answer: (r: Response) => void = () => {};
    const calls = routeFetch({
      [`GET ${GITHUB_PATH}`]: () => json(connection()),
      [`POST ${GITHUB_PATH}/connect`]: () => new Promise<Response>((resolve) => (answer = resolve)),
    });
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
    openGithubTab(meAs("owner"));
    await screen.findByText(/No GitHub account is linked to Acme/);
    await userEvent.click(screen.getByRole("button", { name: "Connect GitHub" }));
    const busy = await screen.findByRole("button", { name: "Opening GitHub…" });
    expect((busy as HTMLButtonElement).disabled).toBe(true);
    expect(assign).not.toHaveBeenCalled();
    answer(json({ url: install }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith(install));
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([`${GITHUB_PATH}/connect`]);
    // The page is unloading: the button stays busy rather than inviting a second click.
    expect((screen.getByRole("button", { name: "Opening GitHub…" }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it("shows why connecting failed and does not navigate", async () => {
    routeFetch({
      [`GET ${GITHUB_PATH}`]: () => json(connection()),
      [`POST ${GITHUB_PATH}/connect`]: () => apiError(403, "forbidden", "only owners can connect GitHub"),
    });
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
    openGithubTab(meAs("owner"));
    await userEvent.click(await screen.findByRole("button", { name: "Connect GitHub" }));
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toBe(
        "Could not start connecting GitHub: only owners can connect GitHub",
      ),
    );
    expect(assign).not.toHaveBeenCalled();
    expect((screen.getByRole("button", { name: "Connect GitHub" }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it("refuses to follow a connect URL that is not http(s)", async () => {
    routeFetch({
      [`GET ${GITHUB_PATH}`]: () => json(connection()),
      // Valid for the schema (a URL), but never a place to send the browser.
      [`POST ${GITHUB_PATH}/connect`]: () => json({ url: "javascript:alert(document.cookie)" }),
    });
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
    openGithubTab(meAs("owner"));
    await userEvent.click(await screen.findByRole("button", { name: "Connect GitHub" }));
    await screen.findByRole("alert");
    expect(assign).not.toHaveBeenCalled();
  });

  it("lists installations with their repositories and disconnects one after confirming", async () => {
    let installations = [ACME, ADA];
    const calls = routeFetch({
      [`GET ${GITHUB_PATH}`]: () => json(connection({ installations })),
      [`DELETE ${GITHUB_PATH}/installations/11`]: () => {
        installations = installations.filter((i) => i.id !== 11);
        return new Response(null, { status: 204 });
      },
    });
    openGithubTab(meAs("owner"));
    const acme = await screen.findByRole("listitem", { name: "GitHub account acme" });
    expect(acme.textContent).toContain("7 repositories");
    // Seven repositories start folded; two show inline.
    expect(within(acme).getByText("Show all 7 repositories").closest("details")?.open).toBe(false);
    const ada = screen.getByRole("listitem", { name: "GitHub account ada" });
    expect(ada.textContent).toContain("2 repositories");
    expect(within(ada).getByText("ada/notes").closest("details")).toBeNull();
    expect(screen.getByTestId("github-trigger-hint").textContent).toBe(
      "Start a session from GitHub: label an issue agent or mention @nightshift-bot in a pull request comment.",
    );
    expect(screen.getByRole("button", { name: "Add another account" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "View the App on GitHub" }).getAttribute("href")).toBe(
      "https://github.com/apps/nightshift-bot",
    );

    await userEvent.click(screen.getByRole("button", { name: "Disconnect acme" }));
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(0);
    await userEvent.click(screen.getByRole("button", { name: "Disconnect acme" }));
    expect(screen.getByText(/The App stays installed on GitHub/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Yes, disconnect acme" }));
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "GitHub account acme" })).toBeNull());
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual([
      `${GITHUB_PATH}/installations/11`,
    ]);
    expect(screen.getByRole("listitem", { name: "GitHub account ada" })).toBeTruthy();
  });

  it("shows a failed disconnect", async () => {
    routeFetch({
      [`GET ${GITHUB_PATH}`]: () => json(connection({ installations: [ADA] })),
      [`DELETE ${GITHUB_PATH}/installations/12`]: () => apiError(500, "internal", "database unavailable"),
    });
    openGithubTab(meAs("owner"));
    await userEvent.click(await screen.findByRole("button", { name: "Disconnect ada" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, disconnect ada" }));
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toBe("Could not disconnect: database unavailable"),
    );
  });

  it.each(["admin", "member"] as const)("shows a %s the connection but no buttons", async (role) => {
    const calls = routeFetch({ [`GET ${GITHUB_PATH}`]: () => json(connection({ installations: [ACME] })) });
    openGithubTab(meAs(role));
    await screen.findByRole("listitem", { name: "GitHub account acme" });
    expect(screen.getByText("An owner can connect more accounts.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Disconnect|Connect|Add another/ })).toBeNull();
    expect(calls.every((c) => c.method === "GET")).toBe(true);
  });

  it("tells a non-owner that an owner can connect GitHub", async () => {
    routeFetch({ [`GET ${GITHUB_PATH}`]: () => json(connection()) });
    openGithubTab(meAs("admin"));
    await screen.findByText("An owner can connect GitHub.");
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("gives a member only the tabs they may use (GitHub, Slack, Linear, Network, Sandboxes, Agents, Model accounts)", async () => {
    routeFetch({ [`GET ${GITHUB_PATH}`]: () => json(connection()) });
    openGithubTab(meAs("member"), "/settings");
    await screen.findByText("An owner can connect GitHub.");
    const tabs = within(screen.getByRole("navigation", { name: "Settings" })).getAllByRole("link");
    expect(tabs.map((t) => t.textContent)).toEqual([
      "GitHub",
      "Slack",
      "Linear",
      "Network",
      "Sandboxes",
      "Agents",
      "Model accounts",
    ]);
  });

  it("shows the success notice when GitHub sends the browser back to /settings", async () => {
    routeFetch({ [`GET ${GITHUB_PATH}`]: () => json(connection({ installations: [ADA] })) });
    openGithubTab(meAs("owner"), "/settings?github=connected");
    expect((await screen.findByRole("status")).textContent).toContain("GitHub connected.");
    await screen.findByRole("listitem", { name: "GitHub account ada" });
    await userEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByText(/GitHub connected\./)).toBeNull();
  });

  it("shows the error message from the URL as text, never as HTML", async () => {
    routeFetch({ [`GET ${GITHUB_PATH}`]: () => json(connection()) });
    const message = '<img src=x onerror="alert(1)"> this installation belongs to another workspace';
    openGithubTab(meAs("owner"), `/settings?github=error&message=${encodeURIComponent(message)}`);
    const alert = await screen.findByRole("alert");
    expect(alert.querySelector("p")?.textContent).toBe(
      `GitHub could not be connected. Reason given: ${message}`,
    );
    expect(document.querySelector("img")).toBeNull();
    await userEvent.click(within(alert).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
