/**
 * The planned integrations, none of which exists yet, so each shows "not connected" (the GitHub
 * App, which does exist, has its own panel, github-panel.tsx).
 */
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
