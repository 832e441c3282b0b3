/**
 * Settings: one tab per concern, each a route so it can be linked to. Admins see every tab; other
 * members see the GitHub connection, the network allow-list, the sandbox providers and the agent
 * defaults, read-only, as the API lets any member read them.
 */
import { Navigate, NavLink, Route, Routes, useLocation } from "react-router";
import { isAdmin } from "../auth/auth-api";
import { useAuth } from "../auth/auth-context";
import { EmptyState } from "../ui/states";
import { AgentsPanel } from "./agents-panel";
import { ApiKeysPanel } from "./api-keys-panel";
import { BudgetPanel } from "./budget-panel";
import { IntegrationsPanel } from "./connections-panel";
import { GithubPanel } from "./github-panel";
import { LinearLinkPage } from "./linear-link";
import { LinearPanel } from "./linear-panel";
import { MembersPanel } from "./members-panel";
import { ModelAccountsPanel } from "./model-accounts-panel";
import { NetworkPanel } from "./network-panel";
import { SandboxesPanel } from "./sandboxes-panel";
import { SecretsPanel } from "./secrets-panel";
import { SlackLinkPage } from "./slack-link";
import { SlackPanel } from "./slack-panel";

const ADMIN_TABS = [
  { path: "secrets", label: "Secrets" },
  { path: "members", label: "Members" },
  { path: "api-keys", label: "API keys" },
  { path: "github", label: "GitHub" },
  { path: "slack", label: "Slack" },
  { path: "linear", label: "Linear" },
  { path: "network", label: "Network" },
  { path: "sandboxes", label: "Sandboxes" },
  { path: "agents", label: "Agents" },
  { path: "model-accounts", label: "Model accounts" },
  { path: "budget", label: "Budget" },
  { path: "integrations", label: "Integrations" },
];
const MEMBER_TABS = [
  { path: "github", label: "GitHub" },
  { path: "slack", label: "Slack" },
  { path: "linear", label: "Linear" },
  { path: "network", label: "Network" },
  { path: "sandboxes", label: "Sandboxes" },
  { path: "agents", label: "Agents" },
  { path: "model-accounts", label: "Model accounts" },
];

/**
 * `/settings` opens the first tab, except when GitHub sends the browser back after an installation
 * (`/settings?github=...`): then the GitHub tab, keeping the query so its notice can show the result.
 */
function SettingsIndex({ admin }: { admin: boolean }) {
  const { search } = useLocation();
  const fromGithub = new URLSearchParams(search).has("github");
  if (new URLSearchParams(search).has("slack"))
    return <Navigate to={{ pathname: "slack", search }} replace />;
  if (new URLSearchParams(search).has("linear"))
    return <Navigate to={{ pathname: "linear", search }} replace />;
  if (fromGithub || !admin) return <Navigate to={{ pathname: "github", search }} replace />;
  return <Navigate to="secrets" replace />;
}

export default function SettingsPage() {
  const { tenant } = useAuth();
  const admin = isAdmin(tenant.role);
  const tabs = admin ? ADMIN_TABS : MEMBER_TABS;
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings · {tenant.name}</h1>
      <nav className="tabs" aria-label="Settings">
        {tabs.map((t) => (
          <NavLink key={t.path} to={`/settings/${t.path}`}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      {admin ? null : (
        <p className="muted small">Secrets, members, API keys and integrations are managed by admins.</p>
      )}
      <div className="tab-panel">
        <Routes>
          <Route index element={<SettingsIndex admin={admin} />} />
          <Route path="github" element={<GithubPanel />} />
          <Route path="slack" element={<SlackPanel admin={admin} />} />
          <Route path="slack/link" element={<SlackLinkPage />} />
          <Route path="linear" element={<LinearPanel admin={admin} />} />
          <Route path="linear/link" element={<LinearLinkPage />} />
          <Route path="network" element={<NetworkPanel editable={admin} />} />
          <Route path="sandboxes" element={<SandboxesPanel editable={admin} />} />
          <Route path="model-accounts" element={<ModelAccountsPanel admin={admin} />} />
          <Route path="agents" element={<AgentsPanel editable={admin} />} />
          {admin ? (
            <>
              <Route path="secrets" element={<SecretsPanel />} />
              <Route path="budget" element={<BudgetPanel />} />
              <Route path="members" element={<MembersPanel />} />
              <Route path="api-keys" element={<ApiKeysPanel />} />
              <Route path="integrations" element={<IntegrationsPanel />} />
            </>
          ) : (
            <Route
              path="*"
              element={
                <EmptyState title="Settings are for admins">
                  Ask an owner or admin of {tenant.name} for access.
                </EmptyState>
              }
            />
          )}
        </Routes>
      </div>
    </section>
  );
}
