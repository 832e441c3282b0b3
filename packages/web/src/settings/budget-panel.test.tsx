import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import SettingsPage from "./settings-page";

afterEach(() => vi.unstubAllGlobals());

describe("Budget settings", () => {
  it("shows the month's spend and saves the monthly budget, its warning and the per-session caps (empty: no cap)", async () => {
    let stored: Record<string, number> = { sessionUsd: 5 };
    routeFetch({
      "GET /api/v1/tenants/t1/settings/budget": () => json(stored),
      "PUT /api/v1/tenants/t1/settings/budget": (req) => {
        stored = req.body as Record<string, number>;
        return json(stored);
      },
      "GET /api/v1/tenants/t1/budget": () =>
        json({
          period: "2026-12",
          spentUsd: 12.5,
          monthlyUsd: null,
          warnAtPercent: 80,
          percentUsed: null,
          state: "ok",
        }),
    });
    renderPage(<SettingsPage />, { path: "/settings/budget", route: "/settings/*" });
    const monthly = (await screen.findByLabelText("Monthly budget (USD)")) as HTMLInputElement;
    expect(monthly.value).toBe("");
    expect((screen.getByLabelText("Per-session model spend (USD)") as HTMLInputElement).value).toBe("5");
    await screen.findByText(/\$12\.50/);

    const user = userEvent.setup();
    await user.type(monthly, "200");
    await user.type(screen.getByLabelText("Warn at (% of the monthly budget)"), "150");
    await user.click(screen.getByRole("button", { name: "Save budget" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/^Warn at \(% of the monthly budget\): /);

    await user.clear(screen.getByLabelText("Warn at (% of the monthly budget)"));
    await user.type(screen.getByLabelText("Warn at (% of the monthly budget)"), "90");
    await user.clear(screen.getByLabelText("Per-session model spend (USD)"));
    await user.type(screen.getByLabelText("Per-session max turns"), "20");
    await user.type(screen.getByLabelText("Per-session max wall time (minutes)"), "90");
    await user.click(screen.getByRole("button", { name: "Save budget" }));
    await waitFor(() =>
      expect(stored).toEqual({
        monthlyUsd: 200,
        monthlyWarnPercent: 90,
        sessionMaxTurns: 20,
        sessionMaxMinutes: 90,
      }),
    );
    await screen.findByText("Budget saved.");
  });
});
