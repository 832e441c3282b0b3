/**
 * The tenant's Slack workspace: connected or not, connect (a round-trip through Slack's install
 * page) and disconnect for admins, and the channel → repository defaults a mention without a
 * repository falls back to. Any member reads it.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError } from "../api/http-client";
import { ErrorState, Loading } from "../ui/states";
import { webUrl } from "../ui/web-url";
import { InstallResultNotice } from "./install-result-notice";
import {
  connectSlack,
  disconnectSlack,
  getSlackConnection,
  removeChannelDefault,
  type SlackConnection,
  setChannelDefault,
  slackKey,
} from "./slack-api";

async function goToSlackInstall(): Promise<void> {
  const url = webUrl(await connectSlack());
  if (!url) throw new Error("The server answered with a Slack address that is not http(s); not opening it.");
  window.location.assign(url);
}

function ChannelDefaults({ conn, editable }: { conn: SlackConnection; editable: boolean }) {
  const queryClient = useQueryClient();
  const [channelId, setChannelId] = useState("");
  const [repository, setRepository] = useState("");
  const refresh = () => void queryClient.invalidateQueries({ queryKey: slackKey });
  const add = useMutation({
    mutationFn: () => setChannelDefault(channelId.trim(), repository.trim()),
    onSuccess: () => {
      setChannelId("");
      setRepository("");
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: removeChannelDefault, onSuccess: refresh });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <div data-testid="slack-channels">
      <h3>Channel defaults</h3>
      {conn.channels.length === 0 ? (
        <p className="muted">No channel has a default repository: mentions must name one.</p>
      ) : (
        <ul className="list">
          {conn.channels.map((c) => (
            <li key={c.channelId}>
              <code>{c.channelId}</code> → <code>{c.repository}</code>{" "}
              {editable ? (
                <button
                  type="button"
                  className="button button-ghost"
                  onClick={() => remove.mutate(c.channelId)}
                >
                  Remove
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {editable ? (
        <form className="form-row" onSubmit={submit}>
          <input
            aria-label="Channel id"
            placeholder="C0123ABCD"
            value={channelId}
            onChange={(e) => setChannelId(e.target.value)}
          />
          <input
            aria-label="Repository"
            placeholder="owner/repo"
            value={repository}
            onChange={(e) => setRepository(e.target.value)}
          />
          <button type="submit" className="button" disabled={add.isPending || !channelId || !repository}>
            Set default
          </button>
        </form>
      ) : null}
      {add.isError || remove.isError ? (
        <p className="form-error" role="alert">
          {describeError(add.error ?? remove.error)}
        </p>
      ) : null}
    </div>
  );
}

function Workspace({ conn, admin }: { conn: SlackConnection; admin: boolean }) {
  const queryClient = useQueryClient();
  const connect = useMutation({ mutationFn: goToSlackInstall });
  const disconnect = useMutation({
    mutationFn: disconnectSlack,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: slackKey }),
  });
  const leaving = connect.isPending || connect.isSuccess;
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
      <div className="form-actions">
        {admin ? (
          conn.workspace ? (
            <button
              type="button"
              className="button"
              onClick={() => disconnect.mutate()}
              disabled={disconnect.isPending}
            >
              {disconnect.isPending ? "Disconnecting…" : "Disconnect Slack"}
            </button>
          ) : (
            <button
              type="button"
              className="button button-primary"
              onClick={() => connect.mutate()}
              disabled={leaving}
            >
              {leaving ? "Opening Slack…" : "Connect Slack"}
            </button>
          )
        ) : (
          <p className="muted">An admin can connect or disconnect Slack.</p>
        )}
      </div>
      {connect.isError || disconnect.isError ? (
        <p className="form-error" role="alert">
          {connect.isError
            ? `Could not start connecting Slack: ${describeError(connect.error)}`
            : `Could not disconnect: ${describeError(disconnect.error)}`}
        </p>
      ) : null}
      {conn.workspace ? <ChannelDefaults conn={conn} editable={admin} /> : null}
    </div>
  );
}

export function SlackPanel({ admin }: { admin: boolean }) {
  const slack = useQuery({ queryKey: slackKey, queryFn: getSlackConnection });
  let body: React.ReactNode;
  if (slack.isPending) body = <Loading />;
  else if (slack.isError) body = <ErrorState error={slack.error} onRetry={() => void slack.refetch()} />;
  else if (!slack.data.configured)
    body = (
      <div className="card">
        <h2>Slack</h2>
        <p>
          <span className="badge badge-stopped">not configured</span> This deployment has no Slack app; see{" "}
          <code>docs/slack-app.md</code>.
        </p>
      </div>
    );
  else body = <Workspace conn={slack.data} admin={admin} />;
  return (
    <div>
      <InstallResultNotice slug="slack" providerName="Slack" />
      {body}
    </div>
  );
}
