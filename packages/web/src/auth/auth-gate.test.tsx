import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME } from "../../test/render";
import { getActiveTenant, TENANT_HEADER } from "../api/http-client";
import { listSessions } from "../api/sessions";
import { githubLoginUrl, loginFromName } from "./auth-api";
import { useAuth } from "./auth-context";
import { AuthGate } from "./auth-gate";
import { TenantSwitcher } from "./tenant-switcher";

function Hello() {
  const { me, tenant } = useAuth();
  return (
    <p>
      hello {me.user.name} in {tenant.name}
    </p>
  );
}

function renderGate(children = <Hello />) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <AuthGate>{children}</AuthGate>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  localStorage.clear();
  // happy-dom lets a test choose the page URL; the sign-in page reads host and path from it.
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(
    "http://127.0.0.1:8787/sessions/abc?x=1",
  );
});
afterEach(() => vi.unstubAllGlobals());

describe("AuthGate", () => {
  it("shows the sign-in page on 401, with GitHub and the local dev login", async () => {
    let signedIn = false;
    const calls = routeFetch({
      "GET /api/v1/me": () => (signedIn ? json(ADMIN_ME) : apiError(401, "unauthorized", "sign in")),
      "POST /auth/dev-login": () => {
        signedIn = true;
        return json({ user: ADMIN_ME.user, expiresAt: "2026-11-24T00:00:00.000Z" });
      },
    });
    renderGate();
    const github = await screen.findByRole("link", { name: "Sign in with GitHub" });
    expect(github.getAttribute("href")).toBe("/auth/github/login?redirect=%2Fsessions%2Fabc%3Fx%3D1");
    await userEvent.click(screen.getByRole("button", { name: "Dev login" }));
    await screen.findByText("hello Ada in Acme");
    // No name: the local owner.
    expect(calls.find((c) => c.path === "/auth/dev-login")?.body).toEqual({});
  });

  it("signs in as a named developer", async () => {
    let signedIn = false;
    const calls = routeFetch({
      "GET /api/v1/me": () => (signedIn ? json(ADMIN_ME) : apiError(401, "unauthorized", "sign in")),
      "POST /auth/dev-login": () => {
        signedIn = true;
        return json({ user: ADMIN_ME.user, expiresAt: "2026-11-24T00:00:00.000Z" });
      },
    });
    renderGate();
    await userEvent.type(await screen.findByLabelText("Display name"), "Grace Hopper");
    await userEvent.click(screen.getByRole("button", { name: "Dev login" }));
    await screen.findByText("hello Ada in Acme");
    expect(calls.find((c) => c.path === "/auth/dev-login")?.body).toEqual({
      login: "grace-hopper",
      name: "Grace Hopper",
    });
  });

  it("shows a server failure with a retry, not the sign-in page", async () => {
    routeFetch({ "GET /api/v1/me": () => apiError(500, "internal", "boom") });
    renderGate();
    await screen.findByText("boom");
    expect(screen.queryByText("Sign in to Nightshift")).toBeNull();
  });

  it("switches tenant, remembers it and sends it on later requests", async () => {
    const calls = routeFetch({
      "GET /api/v1/me": () => json(ADMIN_ME),
      "GET /api/v1/tenants/t2/sessions": () => json({ sessions: [], nextCursor: null }),
    });
    renderGate(
      <>
        <Hello />
        <TenantSwitcher />
      </>,
    );
    await screen.findByText("hello Ada in Acme");
    expect(getActiveTenant()).toBe("t1");
    await userEvent.selectOptions(screen.getByLabelText("Tenant"), "t2");
    await screen.findByText("hello Ada in Side project");
    expect(localStorage.getItem("nightshift.tenant")).toBe("t2");
    await listSessions({});
    await waitFor(() => expect(calls.at(-1)?.path).toMatch(/^\/api\/v1\/tenants\/t2\/sessions\?/));
    expect(calls.at(-1)?.headers[TENANT_HEADER]).toBe("t2");
  });
});

describe("loginFromName", () => {
  it("makes a GitHub-style login from a display name", () => {
    expect(loginFromName("Ada Lovelace")).toBe("ada-lovelace");
    expect(loginFromName("  Grâce  H. ")).toBe("grace-h");
    expect(loginFromName("!!!")).toBe("dev");
    expect(loginFromName("x".repeat(60))).toHaveLength(39);
  });
});

describe("githubLoginUrl", () => {
  it("only redirects to paths on this site", () => {
    expect(githubLoginUrl("//evil.example/x")).toBe("/auth/github/login?redirect=%2F");
    expect(githubLoginUrl("https://evil.example")).toBe("/auth/github/login?redirect=%2F");
    expect(githubLoginUrl("/new")).toBe("/auth/github/login?redirect=%2Fnew");
  });
});
