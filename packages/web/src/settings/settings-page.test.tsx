import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME, renderPage } from "../../test/render";
import SettingsPage from "./settings-page";

afterEach(() => vi.unstubAllGlobals());

const KEY = {
  id: "k1",
  name: "ci-bot",
  prefix: "nsk_3fa9c2d1",
  role: "member",
  createdBy: "u1",
  createdAt: "2026-11-23T12:00:00.000Z",
  lastUsedAt: null,
  expiresAt: null,
  revokedAt: null,
};

describe("SettingsPage", () => {
  it("keeps secrets, members and API keys for admins", () => {
    routeFetch({});
    renderPage(<SettingsPage />, {
      path: "/settings/secrets",
      route: "/settings/*",
      me: { ...ADMIN_ME, tenants: [{ ...ADMIN_ME.tenants[0]!, role: "member" }] },
    });
    expect(screen.getByText("Settings are for admins")).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Secrets" })).toBeNull();
  });

  it("saves a secret write-only and lists its name, never a value", async () => {
    const secrets: { name: string; repo: string | null }[] = [];
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/secrets": () =>
        json({
          secrets: secrets.map((s) => ({
            ...s,
            scope: s.repo ? "repo" : "tenant",
            createdAt: "2026-11-23T12:00:00.000Z",
            updatedAt: "2026-11-23T12:00:00.000Z",
          })),
        }),
      "PUT /api/v1/tenants/t1/secrets/OPENAI_API_KEY": (req) => {
        secrets.push({ name: "OPENAI_API_KEY", repo: null });
        return req.body ? new Response(null, { status: 204 }) : json({}, 400);
      },
    });
    renderPage(<SettingsPage />, { path: "/settings/secrets", route: "/settings/*", me: ADMIN_ME });
    await screen.findByText("No secrets yet");
    await userEvent.type(screen.getByLabelText("Name"), "openai_api_key");
    await userEvent.type(screen.getByLabelText("Value"), "sk-very-secret");
    await userEvent.click(screen.getByRole("button", { name: "Save secret" }));
    await screen.findByText("OPENAI_API_KEY");
    expect(screen.getByText(/model credential — used by the gateway, never sent to sandboxes/)).toBeTruthy();
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ value: "sk-very-secret" });
    expect(document.body.textContent).not.toContain("sk-very-secret");
    expect((screen.getByLabelText("Value") as HTMLInputElement).type).toBe("password");
  });

  it("rejects a bad secret name before sending", async () => {
    const calls = routeFetch({ "GET /api/v1/tenants/t1/secrets": () => json({ secrets: [] }) });
    renderPage(<SettingsPage />, { path: "/settings/secrets", route: "/settings/*", me: ADMIN_ME });
    await screen.findByText("No secrets yet");
    await userEvent.type(screen.getByLabelText("Name"), "1BAD");
    await userEvent.type(screen.getByLabelText("Value"), "x");
    await userEvent.click(screen.getByRole("button", { name: "Save secret" }));
    expect(screen.getByRole("alert").textContent).toContain("Name:");
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(0);
  });

  it("shows a new API key once", async () => {
    const keys: (typeof KEY)[] = [];
    routeFetch({
      "GET /api/v1/tenants/t1/api-keys": () => json({ apiKeys: keys }),
      "POST /api/v1/tenants/t1/api-keys": () => {
        keys.push(KEY);
        return json({ apiKey: KEY, key: "nsk_3fa9c2d1_full_secret_value" }, 201);
      },
    });
    renderPage(<SettingsPage />, { path: "/settings/api-keys", route: "/settings/*", me: ADMIN_ME });
    await userEvent.type(await screen.findByLabelText("New key name"), "ci-bot");
    await userEvent.click(screen.getByRole("button", { name: "Create key" }));
    await screen.findByText("nsk_3fa9c2d1_full_secret_value");
    await screen.findByText("ci-bot");
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByText("nsk_3fa9c2d1_full_secret_value")).toBeNull();
  });

  it("says when an API is missing and when integrations are not connected", async () => {
    routeFetch({});
    renderPage(<SettingsPage />, { path: "/settings/members", route: "/settings/*", me: ADMIN_ME });
    await screen.findByText("Members are not available on this server");
    await userEvent.click(screen.getByRole("link", { name: "Integrations" }));
    await waitFor(() => expect(screen.getAllByText("not connected")).toHaveLength(4));
    await userEvent.click(screen.getByRole("link", { name: "GitHub" }));
    await screen.findByText("GitHub settings are not available on this server");
  });
});
