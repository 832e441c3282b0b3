/** The GitHub App connection and the chat/issue-tracker integrations' state. */
import { useQuery } from "@tanstack/react-query";
import { ErrorState, Loading } from "../ui/states";
import { getGithubConnection, settingsKeys } from "./settings-api";

export function GithubPanel() {
  const github = useQuery({ queryKey: settingsKeys.github, queryFn: getGithubConnection });
  if (github.isPending) return <Loading />;
  if (github.isError) return <ErrorState error={github.error} onRetry={() => void github.refetch()} />;
  const conn = github.data.available ? github.data.value : null;
  return (
    <div className="card">
      <h2>GitHub App</h2>
      {conn?.connected ? (
        <p>
          Connected{conn.account ? ` to ${conn.account}` : ""}
          {typeof conn.repositories === "number" ? ` · ${conn.repositories} repositories` : ""}.
        </p>
      ) : (
        <p>
          <span className="badge badge-stopped">not connected</span> Sessions can use local repositories only.
        </p>
      )}
      {conn?.installUrl ? (
        <a className="button" href={conn.installUrl}>
          {conn.connected ? "Manage installation" : "Install the GitHub App"}
        </a>
      ) : null}
    </div>
  );
}

const INTEGRATIONS = [
  { name: "Slack", what: "Start sessions with @nightshift and get progress in the thread." },
  { name: "Linear", what: "Assign issues to the Nightshift agent." },
  { name: "Webhooks", what: "Start sessions from signed HTTP calls." },
  { name: "Schedules", what: "Run automations on a cron." },
];

export function IntegrationsPanel() {
  return (
    <ul className="list">
      {INTEGRATIONS.map((i) => (
        <li key={i.name} className="list-row">
          <span>
            <strong>{i.name}</strong>
            <span className="muted small"> {i.what}</span>
          </span>
          <span className="badge badge-stopped">not connected</span>
        </li>
      ))}
    </ul>
  );
}
