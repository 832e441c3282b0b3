/** The frame around every signed-in page: skip link, navigation, tenant, theme and sign-out. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Suspense } from "react";
import { NavLink, Outlet } from "react-router";
import { logout, meKey } from "../auth/auth-api";
import { useAuth } from "../auth/auth-context";
import { TenantSwitcher } from "../auth/tenant-switcher";
import { BudgetBanner } from "../budget/budget-banner";
import { Loading } from "../ui/states";
import { useTheme } from "./theme";

export function Shell() {
  const { me } = useAuth();
  const [theme, cycleTheme] = useTheme();
  const queryClient = useQueryClient();
  const signOut = useMutation({
    mutationFn: logout,
    onSettled: () => queryClient.invalidateQueries({ queryKey: meKey }),
  });
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Nightshift home">
          <span aria-hidden="true">☾</span> Nightshift
        </NavLink>
        <nav aria-label="Main" className="nav">
          <NavLink to="/" end>
            Sessions
          </NavLink>
          <NavLink to="/new">New session</NavLink>
          {/* Everyone: members read automations and their runs; admins manage them. */}
          <NavLink to="/automations">Automations</NavLink>
          <NavLink to="/analytics">Analytics</NavLink>
          {/* Everyone: members read the GitHub connection there; the admin tabs show for admins only. */}
          <NavLink to="/settings">Settings</NavLink>
          <NavLink to="/api-docs">API</NavLink>
        </nav>
        <div className="topbar-end">
          <TenantSwitcher />
          <button
            type="button"
            className="button button-ghost"
            onClick={cycleTheme}
            aria-label={`Colour scheme: ${theme}. Change`}
            title={`Colour scheme: ${theme}`}
          >
            {theme === "dark" ? "☾" : theme === "light" ? "☀" : "◐"}
          </button>
          <span className="user-name" title={me.user.login ?? me.user.name}>
            {me.user.name}
          </span>
          <button type="button" className="button button-ghost" onClick={() => signOut.mutate()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <BudgetBanner />
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </>
  );
}
