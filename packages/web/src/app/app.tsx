/** The dashboard: providers, the auth gate and the routes (pages load on demand). */
import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { BrowserRouter, Route, Routes } from "react-router";
import { AuthGate } from "../auth/auth-gate";
import { lazyComponent } from "../ui/lazy-component";
import { EmptyState } from "../ui/states";
import { createQueryClient } from "./query-client";
import { Shell } from "./shell";

const SessionsPage = lazyComponent(() => import("../sessions/sessions-page"));
const NewSessionPage = lazyComponent(() => import("../new-session/new-session-page"));
const SessionPage = lazyComponent(() => import("../session-view/session-page"));
const SettingsPage = lazyComponent(() => import("../settings/settings-page"));
const AutomationsPage = lazyComponent(() => import("../automations/automations-page"));
const DevicePage = lazyComponent(() => import("../device/device-page"));
const ApiDocsPage = lazyComponent(() => import("../api-docs/api-docs-page"));
const AnalyticsPage = lazyComponent(() => import("../analytics/analytics-page"));

/** Starts fetching the code of the page being opened while /me is still in flight. */
function preloadPageFor(path: string): void {
  const page = path.startsWith("/sessions/")
    ? SessionPage
    : path.startsWith("/settings")
      ? SettingsPage
      : path.startsWith("/automations")
        ? AutomationsPage
        : path.startsWith("/new")
          ? NewSessionPage
          : SessionsPage;
  page.preload().catch(() => {
    // The route loads it again when it renders, and shows the error if that fails too.
  });
}

function NotFound() {
  return <EmptyState title="This page does not exist">Use the navigation above to go back.</EmptyState>;
}

export function App() {
  const [queryClient] = useState(() => {
    preloadPageFor(window.location.pathname);
    return createQueryClient();
  });
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
              <Route path="automations/*" element={<AutomationsPage />} />
              <Route path="device" element={<DevicePage />} />
              <Route path="api-docs" element={<ApiDocsPage />} />
              <Route path="analytics" element={<AnalyticsPage />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </AuthGate>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
