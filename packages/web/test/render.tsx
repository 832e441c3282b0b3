/** Renders a page the way the app does (query client, router, signed-in user) for component tests. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import type { Me } from "../src/auth/auth-api";
import { AuthProvider } from "../src/auth/auth-context";

export const ADMIN_ME: Me = {
  user: { id: "u1", login: "ada", name: "Ada", email: "ada@example.com", avatarUrl: null },
  tenants: [
    { id: "t1", slug: "acme", name: "Acme", role: "admin", createdAt: "2026-11-01T00:00:00.000Z" },
    { id: "t2", slug: "side", name: "Side project", role: "member", createdAt: "2026-11-01T00:00:00.000Z" },
  ],
  via: "session",
  apiKey: null,
};

export function renderPage(
  ui: ReactNode,
  { path = "/", route = "*", me = ADMIN_ME }: { path?: string; route?: string; me?: Me } = {},
) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider me={me}>
          <Routes>
            <Route path={route} element={ui} />
            {route === "/sessions/:id" ? null : <Route path="/sessions/:id" element={<p>session page</p>} />}
          </Routes>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
