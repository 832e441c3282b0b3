/**
 * The tenant's Linear workspace: connected or not, connect (a round-trip through Linear's install
 * page) and disconnect for admins, and the team → repository mappings a delegation uses before
 * the issue's text. Any member reads it.
 */
import {
  ConnectionActions,
  type IntegrationApi,
  IntegrationPanel,
  RepositoryMappings,
} from "./integration-panel";
import {
  connectLinear,
  disconnectLinear,
  getLinearConnection,
  type LinearConnection,
  linearKey,
  removeTeamRepository,
  setTeamRepository,
} from "./linear-api";

const linearApi: IntegrationApi<LinearConnection> = {
  name: "Linear",
  slug: "linear",
  queryKey: linearKey,
  load: getLinearConnection,
  installUrl: connectLinear,
  disconnect: async () => void (await disconnectLinear()),
};

function Organization({ conn, admin }: { conn: LinearConnection; admin: boolean }) {
  return (
    <div className="card" data-testid="linear-connection">
      <h2>Linear</h2>
      {conn.organization ? (
        <p>
          <span className="badge badge-running">connected</span> Workspace{" "}
          <strong>{conn.organization.name}</strong>{" "}
          <span className="muted small">({conn.organization.id})</span>. Delegate an issue to Nightshift or
          mention it in a comment to start a session; it answers in the issue's agent panel. The first time,
          each person connects their Linear account to Nightshift with a link only they see.
        </p>
      ) : (
        <p>
          <span className="badge badge-stopped">not connected</span> No Linear workspace is connected yet.
        </p>
      )}
      <ConnectionActions api={linearApi} connected={Boolean(conn.organization)} admin={admin} />
      {/* Mappings are the tenant's own and survive a reconnect, so they show either way. */}
      <RepositoryMappings
        testId="linear-teams"
        title="Team repositories"
        empty={
          <>
            No team has a repository: a delegated issue must name one (<code>owner/repo</code> or a GitHub
            link), or Nightshift asks in the agent panel.
          </>
        }
        keyLabel="Team id"
        keyPlaceholder="Linear team id (UUID)"
        submitLabel="Set repository"
        mappings={conn.teams.map((t) => ({ key: t.teamId, repository: t.repository }))}
        editable={admin}
        queryKey={linearKey}
        set={setTeamRepository}
        remove={removeTeamRepository}
      />
    </div>
  );
}

export function LinearPanel({ admin }: { admin: boolean }) {
  return (
    <IntegrationPanel api={linearApi}>
      {(conn) => <Organization conn={conn} admin={admin} />}
    </IntegrationPanel>
  );
}
