/**
 * The tenant's Slack workspace: connected or not, connect (a round-trip through Slack's install
 * page) and disconnect for admins, and the channel → repository defaults a mention without a
 * repository falls back to. Any member reads it.
 */
import {
  ConnectionActions,
  type IntegrationApi,
  IntegrationPanel,
  RepositoryMappings,
} from "./integration-panel";
import {
  connectSlack,
  disconnectSlack,
  getSlackConnection,
  removeChannelDefault,
  type SlackConnection,
  setChannelDefault,
  slackKey,
} from "./slack-api";

const slackApi: IntegrationApi<SlackConnection> = {
  name: "Slack",
  slug: "slack",
  queryKey: slackKey,
  load: getSlackConnection,
  installUrl: connectSlack,
  disconnect: async () => void (await disconnectSlack()),
};

function Workspace({ conn, admin }: { conn: SlackConnection; admin: boolean }) {
  return (
    <div className="card" data-testid="slack-connection">
      <h2>Slack</h2>
      {conn.workspace ? (
        <p>
          <span className="badge badge-running">connected</span> Workspace{" "}
          <strong>{conn.workspace.name}</strong> <span className="muted small">({conn.workspace.id})</span>.
          Mention the app in a channel or message it directly to start a session; it answers in the thread.
        </p>
      ) : (
        <p>
          <span className="badge badge-stopped">not connected</span> No Slack workspace is connected yet.
        </p>
      )}
      <ConnectionActions api={slackApi} connected={Boolean(conn.workspace)} admin={admin} />
      {conn.workspace ? (
        <RepositoryMappings
          testId="slack-channels"
          title="Channel defaults"
          empty="No channel has a default repository: mentions must name one."
          keyLabel="Channel id"
          keyPlaceholder="C0123ABCD"
          submitLabel="Set default"
          mappings={conn.channels.map((c) => ({ key: c.channelId, repository: c.repository }))}
          editable={admin}
          queryKey={slackKey}
          set={setChannelDefault}
          remove={removeChannelDefault}
        />
      ) : null}
    </div>
  );
}

export function SlackPanel({ admin }: { admin: boolean }) {
  return (
    <IntegrationPanel api={slackApi}>{(conn) => <Workspace conn={conn} admin={admin} />}</IntegrationPanel>
  );
}
