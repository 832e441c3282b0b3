import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import DevicePage from "./device-page";

afterEach(() => vi.unstubAllGlobals());

const pending = {
  userCode: "BCDF-GHJK",
  clientName: "nightshift CLI on laptop",
  createdAt: "2026-12-05T02:00:00.000Z",
  expiresAt: "2026-12-05T02:10:00.000Z",
};

describe("the device sign-in page (/device)", () => {
  it("takes the code from the link, shows who asked, and approves for the chosen tenant at a role no higher than the user's", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/device-authorizations/BCDF-GHJK": () => json(pending),
      "POST /api/v1/tenants/t2/device-authorizations/BCDF-GHJK/approve": () =>
        json({ status: "approved", tenantId: "t2", role: "member" }),
    });
    renderPage(<DevicePage />, { path: "/device?code=BCDF-GHJK", route: "/device" });
    expect((screen.getByLabelText("Code") as HTMLInputElement).value).toBe("BCDF-GHJK");
    await userEvent.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByText("nightshift CLI on laptop")).toBeTruthy();
    expect(screen.getByText("BCDF-GHJK")).toBeTruthy();
    const role = screen.getByLabelText("Key role") as HTMLSelectElement;
    // An admin in Acme may grant member or admin, never owner.
    expect([...role.options].map((o) => o.value)).toEqual(["member", "admin"]);
    expect(role.value).toBe("admin");
    await userEvent.selectOptions(screen.getByLabelText("Tenant"), "t2");
    expect([...role.options].map((o) => o.value)).toEqual(["member"]);
    await userEvent.click(screen.getByRole("button", { name: "Approve" }));
    expect(
      await screen.findByText(/The terminal now has its own API key in Side project \(member\)/),
    ).toBeTruthy();
    expect(calls.at(-1)).toMatchObject({ method: "POST", body: { role: "member" } });
  });

  it("denies", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/device-authorizations/WDJB-MJHT": () =>
        json({ ...pending, userCode: "WDJB-MJHT" }),
      "POST /api/v1/tenants/t1/device-authorizations/WDJB-MJHT/deny": () =>
        json({ status: "denied", tenantId: "t1", role: null }),
    });
    renderPage(<DevicePage />, { path: "/device", route: "/device" });
    await userEvent.type(screen.getByLabelText("Code"), "WDJB-MJHT");
    await userEvent.click(screen.getByRole("button", { name: "Continue" }));
    await userEvent.click(await screen.findByRole("button", { name: "Deny" }));
    expect(await screen.findByText(/The terminal was told and got no key/)).toBeTruthy();
  });

  it("says so when no sign-in waits for the code", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/device-authorizations/BCDF-GHJK": () =>
        apiError(404, "not_found", "no sign-in is waiting for code BCDF-GHJK"),
    });
    renderPage(<DevicePage />, { path: "/device?code=BCDF-GHJK", route: "/device" });
    await userEvent.click(screen.getByRole("button", { name: "Continue" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/no sign-in is waiting/));
    expect(screen.queryByRole("button", { name: "Approve" })).toBeNull();
  });
});
