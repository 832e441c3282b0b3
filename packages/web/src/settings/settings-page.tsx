/** Settings for admins: one tab per concern, each a route so it can be linked to. */
import { Navigate, NavLink, Route, Routes } from "react-router";
import { isAdmin } from "../auth/auth-api";
import { useAuth } from "../auth/auth-context";
import { EmptyState } from "../ui/states";
import { ApiKeysPanel } from "./api-keys-panel";
import { GithubPanel, IntegrationsPanel } from "./connections-panel";
import { MembersPanel } from "./members-panel";
import { SecretsPanel } from "./secrets-panel";

const TABS = [
  { path: "secrets", label: "Secrets" },
  { path: "members", label: "Members" },
  { path: "api-keys", label: "API keys" },
  { path: "github", label: "GitHub" },
  { path: "integrations", label: "Integrations" },
];

export default function SettingsPage() {
  const { tenant } = useAuth();
  if (!isAdmin(tenant.role)) {
    return (
      <EmptyState title="Settings are for admins">
        Ask an owner or admin of {tenant.name} for access.
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings · {tenant.name}</h1>
      <nav className="tabs" aria-label="Settings">
        {TABS.map((t) => (
          <NavLink key={t.path} to={`/settings/${t.path}`}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      <div className="tab-panel">
        <Routes>
          <Route index element={<Navigate to="secrets" replace />} />
          <Route path="secrets" element={<SecretsPanel />} />
          <Route path="members" element={<MembersPanel />} />
          <Route path="api-keys" element={<ApiKeysPanel />} />
          <Route path="github" element={<GithubPanel />} />
          <Route path="integrations" element={<IntegrationsPanel />} />
        </Routes>
      </div>
    </section>
  );
}
