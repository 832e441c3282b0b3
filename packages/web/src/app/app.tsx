/** The dashboard: providers, the auth gate and the routes (pages load on demand). */
import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, useState } from "react";
import { BrowserRouter, Route, Routes } from "react-router";
import { AuthGate } from "../auth/auth-gate";
import { EmptyState } from "../ui/states";
import { createQueryClient } from "./query-client";
import { Shell } from "./shell";

const SessionsPage = lazy(() => import("../sessions/sessions-page"));
const NewSessionPage = lazy(() => import("../new-session/new-session-page"));
const SessionPage = lazy(() => import("../session-view/session-page"));
const SettingsPage = lazy(() => import("../settings/settings-page"));

function NotFound() {
  return <EmptyState title="This page does not exist">Use the navigation above to go back.</EmptyState>;
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AuthGate>
          <Routes>
            <Route element={<Shell />}>
              <Route index element={<SessionsPage />} />
              <Route path="new" element={<NewSessionPage />} />
              <Route path="sessions/:id" element={<SessionPage />} />
              <Route path="settings/*" element={<SettingsPage />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </AuthGate>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
