import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME, renderPage } from "../../test/render";
import SettingsPage from "./settings-page";

afterEach(() => vi.unstubAllGlobals());

type Stored = { provider?: string; repositories: Record<string, string> };

const view = (settings: Stored, available = ["local", "daytona", "modal"]) => ({
  settings,
  available,
  deploymentDefault: "local",
  updatedAt: null,
});

describe("Sandboxes settings", () => {
  it("lets an admin pick the tenant default among what the deployment runs, and add and remove repository overrides", async () => {
    let stored: Stored = { repositories: { "github:acme/old": "modal" } };
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/settings/sandbox": () => json(view(stored)),
      "PUT /api/v1/tenants/t1/settings/sandbox": (req) => {
        stored = req.body as Stored;
        return json(view(stored));
      },
    });
    renderPage(<SettingsPage />, { path: "/settings/sandboxes", route: "/settings/*" });
    const select = (await screen.findByLabelText("Tenant default provider")) as HTMLSelectElement;
    expect(select.value).toBe("");
    expect([...select.options].map((o) => o.textContent)).toEqual([
      "Deployment default (Local sandbox host)",
      "Local sandbox host",
      "Daytona",
      "Modal",
    ]);
    const user = userEvent.setup();
    await user.selectOptions(select, "daytona");

    // A repository that is not one gets refused before anything is sent.
    await user.type(screen.getByLabelText("Repository"), "not a repo");
    await user.click(screen.getByRole("button", { name: "Add override" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(
      /"not a repo": use 'github:<owner>\/<name>'/,
    );

    await user.clear(screen.getByLabelText("Repository"));
    await user.type(screen.getByLabelText("Repository"), "Acme/Widgets");
    await user.selectOptions(screen.getByLabelText("Provider for it"), "modal");
    await user.click(screen.getByRole("button", { name: "Add override" }));
    await user.click(screen.getByRole("button", { name: "Remove github:acme/old" }));
    const list = screen.getByRole("list", { name: "Repository providers" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["github:acme/widgets · Modal Remove github:acme/widgets"]);
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await user.click(screen.getByRole("button", { name: "Save sandbox settings" }));
    await waitFor(() =>
      expect(stored).toEqual({ provider: "daytona", repositories: { "github:acme/widgets": "modal" } }),
    );
  });

  it("shows the server's refusal when a provider is not available", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/settings/sandbox": () =>
        json(view({ provider: "modal", repositories: {} }, ["local"])),
      "PUT /api/v1/tenants/t1/settings/sandbox": () =>
        json(
          {
            error: {
              code: "invalid_request",
              message: "this deployment cannot run the sandbox provider modal; it can run: local",
            },
          },
          400,
        ),
    });
    renderPage(<SettingsPage />, { path: "/settings/sandboxes", route: "/settings/*" });
    const select = (await screen.findByLabelText("Tenant default provider")) as HTMLSelectElement;
    // The stored choice stays visible, marked, though the deployment can no longer run it.
    expect(select.value).toBe("modal");
    expect(select.selectedOptions[0]?.textContent).toBe("Modal (not available here)");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Repository"), "acme/app");
    await user.click(screen.getByRole("button", { name: "Add override" }));
    await user.click(screen.getByRole("button", { name: "Save sandbox settings" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/cannot run the sandbox provider modal/);
  });

  it("shows members the choice read-only", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/settings/sandbox": () =>
        json(view({ provider: "daytona", repositories: { "github:acme/app": "modal" } })),
    });
    renderPage(<SettingsPage />, {
      path: "/settings/sandboxes",
      route: "/settings/*",
      me: { ...ADMIN_ME, tenants: [{ ...ADMIN_ME.tenants[0]!, role: "member" }] },
    });
    const list = await screen.findByRole("list", { name: "Repository providers" });
    expect(list.textContent).toBe("github:acme/app · Modal");
    expect(screen.getByText(/Sessions run on Daytona unless a repository is listed below/)).toBeTruthy();
    expect(screen.queryByLabelText("Tenant default provider")).toBeNull();
    expect(screen.queryByRole("button", { name: "Save sandbox settings" })).toBeNull();
  });
});
