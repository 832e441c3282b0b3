/** One GitHub account linked to the tenant: its repositories and, for owners, unlinking it. */
import type { GithubInstallationSummary } from "@nightshift/protocol";
import { useState } from "react";

/** Longer lists start folded so a big organization does not push everything else off the page. */
const INLINE_REPOS_MAX = 5;

function RepositoryList({ repos }: { repos: GithubInstallationSummary["repositories"] }) {
  if (repos.length === 0) {
    return <p className="muted small">No repositories selected yet: choose them on GitHub.</p>;
  }
  const list = (
    <ul className="repo-list mono small">
      {repos.map((r) => (
        <li key={r.id}>
          {r.owner}/{r.name}
        </li>
      ))}
    </ul>
  );
  if (repos.length <= INLINE_REPOS_MAX) return list;
  return (
    <details className="repo-details">
      <summary>Show all {repos.length} repositories</summary>
      {list}
    </details>
  );
}

function formatWhen(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

export function GithubInstallation({
  installation,
  canManage,
  disconnecting,
  onDisconnect,
}: {
  installation: GithubInstallationSummary;
  canManage: boolean;
  disconnecting: boolean;
  onDisconnect(): void;
}) {
  const [confirming, setConfirming] = useState(false);
  const { account, repositories } = installation;
  const count = `${repositories.length} ${repositories.length === 1 ? "repository" : "repositories"}`;
  return (
    <li className="installation" aria-label={`GitHub account ${account}`}>
      <div className="list-row">
        <span>
          <strong>{account}</strong>
          <span className="muted small">
            {" "}
            · {count} · connected{" "}
            <time dateTime={installation.connectedAt}>{formatWhen(installation.connectedAt)}</time>
          </span>
        </span>
        {canManage && !confirming ? (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => setConfirming(true)}
            aria-label={`Disconnect ${account}`}
          >
            Disconnect
          </button>
        ) : null}
      </div>
      {confirming ? (
        <fieldset className="confirm">
          <legend className="visually-hidden">Confirm disconnecting {account}</legend>
          <p>
            Disconnect <strong>{account}</strong>? New sessions can no longer use its repositories here. The
            App stays installed on GitHub; uninstall it there to remove its access.
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button button-danger"
              onClick={onDisconnect}
              disabled={disconnecting}
            >
              {disconnecting ? "Disconnecting…" : `Yes, disconnect ${account}`}
            </button>
            <button
              type="button"
              className="button button-ghost"
              onClick={() => setConfirming(false)}
              disabled={disconnecting}
            >
              Cancel
            </button>
          </div>
        </fieldset>
      ) : null}
      <RepositoryList repos={repositories} />
    </li>
  );
}
