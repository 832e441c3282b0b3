/**
 * The tenant's GitHub App connection: whether the deployment has an App at all, the accounts
 * linked to this tenant with their repositories, and how to start sessions from GitHub. Any
 * member reads it; only owners connect (a round-trip through GitHub's install page) or unlink.
 */
import type { GithubConnectionResponse } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { describeError } from "../api/http-client";
import { useAuth } from "../auth/auth-context";
import { reposKey } from "../new-session/repos-api";
import { ErrorState, Loading } from "../ui/states";
import { webUrl } from "../ui/web-url";
import { GithubInstallation } from "./github-installation";
import { GithubResultNotice } from "./github-notice";
import { NotAvailable } from "./not-available";
import {
  connectGithub,
  disconnectGithubInstallation,
  getGithubConnection,
  settingsKeys,
} from "./settings-api";

function NotConfigured() {
  return (
    <div className="card">
      <h2>GitHub App</h2>
      <p>
        <span className="badge badge-stopped">not configured</span> This Nightshift deployment has no GitHub
        App, so sessions can use local repositories only.
      </p>
      <p className="muted">
        To start sessions from GitHub issues and pull requests, ask your operator to configure a GitHub App
        (see <code>docs/github-app.md</code> in the Nightshift repository).
      </p>
    </div>
  );
}

function TriggerHint({ label, slug }: { label: string | null; slug: string | null }) {
  if (!label && !slug) return null;
  return (
    <p className="muted" data-testid="github-trigger-hint">
      Start a session from GitHub:{" "}
      {label ? (
        <>
          label an issue <code>{label}</code>
        </>
      ) : null}
      {label && slug ? " or " : null}
      {slug ? (
        <>
          mention <code>@{slug}</code> in a pull request comment
        </>
      ) : null}
      .
    </p>
  );
}

/** Sends the browser to GitHub's install page; the control plane brings it back to /settings. */
async function goToGithubInstall(): Promise<void> {
  const url = webUrl(await connectGithub());
  if (!url) throw new Error("The server answered with a GitHub address that is not http(s); not opening it.");
  window.location.assign(url);
}

function Connected({
  conn,
  isOwner,
  tenantName,
}: {
  conn: GithubConnectionResponse;
  isOwner: boolean;
  tenantName: string;
}) {
  const queryClient = useQueryClient();
  const connect = useMutation({ mutationFn: goToGithubInstall });
  const disconnect = useMutation({
    mutationFn: disconnectGithubInstallation,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: settingsKeys.github });
      void queryClient.invalidateQueries({ queryKey: reposKey });
    },
  });
  const none = conn.installations.length === 0;
  const appPage = webUrl(conn.appUrl);
  // After a successful POST the page is about to unload; keep the button busy until it does.
  const leaving = connect.isPending || connect.isSuccess;
  return (
    <div className="card github-connection">
      <h2>GitHub App{conn.appSlug ? <span className="muted small"> {conn.appSlug}</span> : null}</h2>
      {none ? (
        <p>
          <span className="badge badge-stopped">not connected</span> No GitHub account is linked to{" "}
          {tenantName} yet. Connecting installs the App on a user or organization and picks its repositories.
        </p>
      ) : (
        <ul className="list installations">
          {conn.installations.map((i) => (
            <GithubInstallation
              key={i.id}
              installation={i}
              canManage={isOwner}
              disconnecting={disconnect.isPending && disconnect.variables === i.id}
              onDisconnect={() => disconnect.mutate(i.id)}
            />
          ))}
        </ul>
      )}
      <div className="form-actions">
        {isOwner ? (
          <button
            type="button"
            className={none ? "button button-primary" : "button"}
            onClick={() => connect.mutate()}
            disabled={leaving}
          >
            {leaving ? "Opening GitHub…" : none ? "Connect GitHub" : "Add another account"}
          </button>
        ) : (
          <p className="muted">
            {none ? "An owner can connect GitHub." : "An owner can connect more accounts."}
          </p>
        )}
        {appPage ? (
          <a className="button button-ghost" href={appPage} target="_blank" rel="noopener noreferrer">
            View the App on GitHub
          </a>
        ) : null}
      </div>
      {connect.isError || disconnect.isError ? (
        <p className="form-error" role="alert">
          {connect.isError
            ? `Could not start connecting GitHub: ${describeError(connect.error)}`
            : `Could not disconnect: ${describeError(disconnect.error)}`}
        </p>
      ) : null}
      <TriggerHint label={conn.triggerLabel} slug={conn.appSlug} />
    </div>
  );
}

export function GithubPanel() {
  const { tenant } = useAuth();
  const github = useQuery({ queryKey: settingsKeys.github, queryFn: getGithubConnection });
  let body: ReactNode;
  if (github.isPending) body = <Loading />;
  else if (github.isError) body = <ErrorState error={github.error} onRetry={() => void github.refetch()} />;
  else if (!github.data.available) body = <NotAvailable what="GitHub settings" />;
  else if (!github.data.value.configured) body = <NotConfigured />;
  else
    body = <Connected conn={github.data.value} isOwner={tenant.role === "owner"} tenantName={tenant.name} />;
  return (
    <div>
      <GithubResultNotice />
      {body}
    </div>
  );
}
