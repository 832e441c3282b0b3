import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME, renderPage } from "../../test/render";
import SettingsPage from "./settings-page";

afterEach(() => vi.unstubAllGlobals());

const settings = (allowHosts: string[]) => ({ egress: { allowHosts }, updatedAt: null });

describe("Network settings", () => {
  it("lets an admin replace the egress allow-list, refusing an IP address before sending", async () => {
    let stored: string[] = ["registry.example.com"];
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/settings": () => json(settings(stored)),
      "PUT /api/v1/tenants/t1/settings/egress": (req) => {
        stored = (req.body as { allowHosts: string[] }).allowHosts;
        return json(settings(stored));
      },
    });
    renderPage(<SettingsPage />, { path: "/settings/network", route: "/settings/*" });
    const field = (await screen.findByLabelText("Allowed hosts (one per line)")) as HTMLTextAreaElement;
    expect(field.value).toBe("registry.example.com");
    const user = userEvent.setup();
    await user.clear(field);
    await user.type(field, "10.0.0.5");
    await user.click(screen.getByRole("button", { name: "Save allowed hosts" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/"10.0.0.5": use a DNS name/);
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await user.clear(field);
    await user.type(field, "crates.io{enter}*.Mirror.example.com");
    await user.click(screen.getByRole("button", { name: "Save allowed hosts" }));
    await waitFor(() => expect(stored).toEqual(["crates.io", "*.mirror.example.com"]));
  });

  it("shows members the list read-only", async () => {
    routeFetch({ "GET /api/v1/tenants/t1/settings": () => json(settings(["crates.io"])) });
    renderPage(<SettingsPage />, {
      path: "/settings/network",
      route: "/settings/*",
      me: { ...ADMIN_ME, tenants: [{ ...ADMIN_ME.tenants[0]!, role: "member" }] },
    });
    const list = await screen.findByRole("list", { name: "Allowed hosts" });
    expect(list.textContent).toBe("crates.io");
    expect(screen.queryByRole("button", { name: "Save allowed hosts" })).toBeNull();
  });
});
