import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME, renderPage } from "../../test/render";
import type { Me } from "../auth/auth-api";
import SettingsPage from "./settings-page";

afterEach(() => vi.unstubAllGlobals());

const MEMBER_ME: Me = {
  ...ADMIN_ME,
  tenants: ADMIN_ME.tenants.map((t) => (t.id === "t1" ? { ...t, role: "member" as const } : t)),
};

const T = "/api/v1/tenants/t1";
const at = "2026-12-01T10:00:00.000Z";
type Mine = { provider: string; kind: string; hint: string; createdAt: string; updatedAt: string };

function stubApi(initial: { mine?: Mine[]; tenant?: unknown[]; baseUrls?: Record<string, string> } = {}) {
  let mine = initial.mine ?? [];
  let baseUrls = initial.baseUrls ?? {};
  const calls = routeFetch({
    [`GET ${T}/me/model-accounts`]: () => json({ accounts: mine }),
    [`PUT ${T}/me/model-accounts/anthropic`]: (req) => {
      const body = req.body as { kind: string; value: string };
      const row = {
        provider: "anthropic",
        kind: body.kind,
        hint: `…${body.value.slice(-4)}`,
        createdAt: at,
        updatedAt: at,
      };
      mine = [row];
      return json(row, 201);
    },
    [`DELETE ${T}/me/model-accounts/openai`]: () => {
      mine = mine.filter((a) => a.provider !== "openai");
      return new Response(null, { status: 204 });
    },
    [`GET ${T}/settings/model-accounts`]: () => json({ accounts: initial.tenant ?? [] }),
    [`PUT ${T}/settings/model-accounts/gemini`]: (req) =>
      json(
        {
          provider: "gemini",
          kind: "api_key",
          hint: "…zzzz",
          scope: "repo",
          repo: "github:acme/widgets",
          adminOnly: true,
          createdAt: at,
          updatedAt: at,
          sent: req.body,
        },
        201,
      ),
    [`GET ${T}/settings/model`]: () => json({ baseUrls }),
    [`PUT ${T}/settings/model`]: (req) => {
      baseUrls = (req.body as { baseUrls: Record<string, string> }).baseUrls;
      return json({ baseUrls });
    },
  });
  return calls;
}

describe("Model accounts settings", () => {
  it("lets a member store a Claude subscription token as their own account, checked before anything is sent", async () => {
    const calls = stubApi({
      mine: [{ provider: "openai", kind: "api_key", hint: "…9f9f", createdAt: at, updatedAt: at }],
    });
    renderPage(<SettingsPage />, { path: "/settings/model-accounts", route: "/settings/*", me: MEMBER_ME });
    const list = await screen.findByRole("list", { name: "Your model accounts" });
    expect(list.textContent).toContain("OpenAI");
    expect(list.textContent).toContain("…9f9f");

    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Kind"), "subscription_token");
    await user.type(screen.getByLabelText("Your key"), "sk-ant-api03-not-a-subscription-1234");
    await user.click(screen.getByRole("button", { name: "Save your account" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/starts with sk-ant-oat/);
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await user.clear(screen.getByLabelText("Your key"));
    await user.type(screen.getByLabelText("Your key"), "sk-ant-oat01-my-subscription-abcd");
    await user.click(screen.getByRole("button", { name: "Save your account" }));
    await within(list).findByText(/Claude subscription token/);
    const put = calls.find((c) => c.method === "PUT");
    expect(put?.path).toBe(`${T}/me/model-accounts/anthropic`);
    expect(put?.body).toEqual({ kind: "subscription_token", value: "sk-ant-oat01-my-subscription-abcd" });
    // The value is never shown back: the field is cleared and the list has only the hint.
    expect((screen.getByLabelText("Your key") as HTMLInputElement).value).toBe("");
    expect(document.body.textContent).not.toContain("sk-ant-oat01-my-subscription-abcd");
  });

  it("offers the subscription kind only for Anthropic", async () => {
    stubApi();
    renderPage(<SettingsPage />, { path: "/settings/model-accounts", route: "/settings/*", me: MEMBER_ME });
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText("Provider"), "openai");
    const kinds = [...(screen.getByLabelText("Kind") as HTMLSelectElement).options].map((o) => o.value);
    expect(kinds).toEqual(["api_key"]);
  });

  it("shows members the tenant's accounts read-only, without the admin form or base URLs", async () => {
    stubApi({
      tenant: [
        {
          provider: "anthropic",
          kind: "api_key",
          hint: "…c1d2",
          scope: "tenant",
          repo: null,
          adminOnly: false,
          createdAt: at,
          updatedAt: at,
        },
      ],
    });
    renderPage(<SettingsPage />, { path: "/settings/model-accounts", route: "/settings/*", me: MEMBER_ME });
    const list = await screen.findByRole("list", { name: "Tenant model accounts" });
    expect(list.textContent).toContain("all repositories");
    expect(list.textContent).toContain("…c1d2");
    expect(within(list).queryByRole("button")).toBeNull();
    expect(screen.queryByRole("form", { name: "Set a tenant account" })).toBeNull();
    expect(screen.queryByRole("form", { name: "Base URLs" })).toBeNull();
  });

  it("lets an admin set a repository's tenant account (admins only) and a provider's base URL", async () => {
    const calls = stubApi({ baseUrls: { anthropic: "https://proxy.example.com" } });
    renderPage(<SettingsPage />, { path: "/settings/model-accounts", route: "/settings/*" });
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText("Tenant provider"), "gemini");
    await user.type(screen.getByLabelText("Tenant API key"), "AIza-tenant-gemini-key-zzzz");
    await user.type(screen.getByLabelText("Repository (optional)"), "github:acme/widgets");
    await user.click(screen.getByLabelText("Admins' sessions only"));
    await user.click(screen.getByRole("button", { name: "Save tenant account" }));
    await vi.waitFor(() =>
      expect(calls.some((c) => c.path.startsWith(`${T}/settings/model-accounts/gemini`))).toBe(true),
    );
    const put = calls.find((c) => c.method === "PUT" && c.path.includes("/settings/model-accounts/"));
    expect(put?.path).toBe(`${T}/settings/model-accounts/gemini?repo=github%3Aacme%2Fwidgets`);
    expect(put?.body).toEqual({ value: "AIza-tenant-gemini-key-zzzz", adminOnly: true });

    const anthropicUrl = (await screen.findByLabelText("Anthropic base URL")) as HTMLInputElement;
    expect(anthropicUrl.value).toBe("https://proxy.example.com");
    await user.type(screen.getByLabelText("OpenAI base URL"), "not a url");
    await user.click(screen.getByRole("button", { name: "Save base URLs" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/OpenAI: must be an http\(s\) URL/);
    await user.clear(screen.getByLabelText("OpenAI base URL"));
    await user.type(screen.getByLabelText("OpenAI base URL"), "http://127.0.0.1:4000/v1");
    await user.click(screen.getByRole("button", { name: "Save base URLs" }));
    await vi.waitFor(() =>
      expect(calls.some((c) => c.method === "PUT" && c.path === `${T}/settings/model`)).toBe(true),
    );
    expect(calls.find((c) => c.path === `${T}/settings/model` && c.method === "PUT")?.body).toEqual({
      baseUrls: { anthropic: "https://proxy.example.com", openai: "http://127.0.0.1:4000/v1" },
    });
  });
});
