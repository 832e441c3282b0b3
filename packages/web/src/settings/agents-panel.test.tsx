import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME, renderPage } from "../../test/render";
import SettingsPage from "./settings-page";

afterEach(() => vi.unstubAllGlobals());

type Stored = { agent?: string; models: Record<string, string> };

const view = (settings: Stored, available = ["claude-code", "codex", "gemini"]) => ({
  settings,
  available,
  deploymentDefault: available[0],
  updatedAt: null,
});

describe("Agents settings", () => {
  it("lets an admin pick the default agent among what the deployment runs and a default model per agent", async () => {
    let stored: Stored = { models: {} };
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/settings/agents": () => json(view(stored)),
      "PUT /api/v1/tenants/t1/settings/agents": (req) => {
        stored = req.body as Stored;
        return json(view(stored));
      },
    });
    renderPage(<SettingsPage />, { path: "/settings/agents", route: "/settings/*" });
    const select = (await screen.findByLabelText("Default agent")) as HTMLSelectElement;
    expect(select.value).toBe("");
    expect([...select.options].map((o) => o.textContent)).toEqual([
      "Deployment default (Claude Code)",
      "Claude Code",
      "Codex",
      "Gemini CLI",
    ]);
    expect(
      screen.getByText(/Sessions that name no agent run on Claude Code \(this deployment's default\)/),
    ).toBeTruthy();
    const codexModel = screen.getByLabelText("Default model for Codex") as HTMLInputElement;
    expect(codexModel.placeholder).toBe("gpt-5.5 (catalog default)");
    const suggestions = [...(codexModel.list?.querySelectorAll("option") ?? [])].map((o) => o.value);
    expect(suggestions).toEqual(["gpt-5.5", "gpt-5.6-sol", "gpt-6.1-sol", "gpt-5-mini"]);
    expect(screen.queryByLabelText("Default model for Pi")).toBeNull();

    const user = userEvent.setup();
    await user.selectOptions(select, "codex");
    await user.type(codexModel, "--yolo");
    await user.click(screen.getByRole("button", { name: "Save agent settings" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/^models\.codex: /);
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await user.clear(codexModel);
    await user.type(codexModel, "gpt-5-mini");
    await user.click(screen.getByRole("button", { name: "Save agent settings" }));
    await waitFor(() => expect(stored).toEqual({ agent: "codex", models: { codex: "gpt-5-mini" } }));
    await screen.findByText(/Sessions that name no agent run on Codex\./);
  });

  it("shows the server's refusal and keeps a stored agent the deployment no longer runs visible", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/settings/agents": () => json(view({ agent: "pi", models: {} }, ["codex"])),
      "PUT /api/v1/tenants/t1/settings/agents": () =>
        json(
          {
            error: {
              code: "agent_unavailable",
              message: "this deployment cannot run the agent pi; it can run: codex (Codex)",
            },
          },
          400,
        ),
    });
    renderPage(<SettingsPage />, { path: "/settings/agents", route: "/settings/*" });
    const select = (await screen.findByLabelText("Default agent")) as HTMLSelectElement;
    expect(select.value).toBe("pi");
    expect(select.selectedOptions[0]?.textContent).toBe("Pi (not available here)");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Default model for Codex"), "gpt-5.5");
    await user.click(screen.getByRole("button", { name: "Save agent settings" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(
      /cannot run the agent pi; it can run: codex/,
    );
  });

  it("shows members the defaults read-only", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/settings/agents": () =>
        json(view({ agent: "gemini", models: { gemini: "gemini-2.5-pro" } })),
    });
    renderPage(<SettingsPage />, {
      path: "/settings/agents",
      route: "/settings/*",
      me: { ...ADMIN_ME, tenants: [{ ...ADMIN_ME.tenants[0]!, role: "member" }] },
    });
    const list = await screen.findByRole("list", { name: "Default models" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["Gemini CLI · gemini-2.5-pro"]);
    expect(screen.getByText(/Sessions that name no agent run on Gemini CLI\./)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Agents" })).toBeTruthy();
    expect(screen.queryByLabelText("Default agent")).toBeNull();
    expect(screen.queryByRole("button", { name: "Save agent settings" })).toBeNull();
  });
});
