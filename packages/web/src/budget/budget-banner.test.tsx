import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME, renderPage } from "../../test/render";
import { BudgetBanner } from "./budget-banner";

afterEach(() => vi.unstubAllGlobals());

const status = (over: Record<string, unknown>) => ({
  period: "2026-12",
  spentUsd: 85,
  monthlyUsd: 100,
  warnAtPercent: 80,
  percentUsed: 85,
  state: "warning",
  ...over,
});

const MEMBER_ME = { ...ADMIN_ME, tenants: ADMIN_ME.tenants.map((t) => ({ ...t, role: "member" as const })) };

describe("the budget banner", () => {
  it("warns past the soft threshold with the figures, and links admins to the budget settings", async () => {
    routeFetch({ "GET /api/v1/tenants/t1/budget": () => json(status({})) });
    renderPage(<BudgetBanner />);
    const banner = await screen.findByText(/Monthly budget warning/);
    expect(banner.parentElement?.textContent).toContain(
      "Acme has spent $85.00 of $100.00 for 2026-12 (85%, warning at 80%)",
    );
    expect(screen.getByRole("link", { name: "Budget settings" }).getAttribute("href")).toBe(
      "/settings/budget",
    );
  });

  it("says new sessions are refused at the hard stop, without a settings link for members", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/budget": () =>
        json(status({ spentUsd: 120, percentUsed: 120, state: "exhausted" })),
    });
    renderPage(<BudgetBanner />, { me: MEMBER_ME });
    const banner = await screen.findByText(/Monthly budget used up/);
    expect(banner.parentElement?.textContent).toContain("New sessions and model calls are refused");
    expect(screen.queryByRole("link", { name: "Budget settings" })).toBeNull();
  });

  it("shows nothing below the threshold", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/budget": () => json(status({ spentUsd: 10, percentUsed: 10, state: "ok" })),
    });
    const { container } = renderPage(<BudgetBanner />);
    await waitFor(() => expect(calls.length).toBe(1));
    expect(container.textContent).toBe("");
  });
});
