/**
 * The tenant's Linear workspace: connected or not, connect (a round-trip through Linear's install
 * page) and disconnect for admins, and the team → repository mappings a delegation uses before
 * the issue's text. Any member reads it.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError } from "../api/http-client";
import { ErrorState, Loading } from "../ui/states";
import { webUrl } from "../ui/web-url";
import { InstallResultNotice } from "./install-result-notice";
import {
  connectLinear,
  disconnectLinear,
  getLinearConnection,
  type LinearConnection,
  linearKey,
  removeTeamRepository,
  setTeamRepository,
} from "./linear-api";

async function goToLinearInstall(): Promise<void> {
  const url = webUrl(await connectLinear());
  if (!url) throw new Error("The server answered with a Linear address that is not http(s); not opening it.");
  window.location.assign(url);
}

function TeamRepositories({ conn, editable }: { conn: LinearConnection; editable: boolean }) {
  const queryClient = useQueryClient();
  const [teamId, setTeamId] = useState("");
  const [repository, setRepository] = useState("");
  const refresh = () => void queryClient.invalidateQueries({ queryKey: linearKey });
  const add = useMutation({
    mutationFn: () => setTeamRepository(teamId.trim(), repository.trim()),
    onSuccess: () => {
      setTeamId("");
      setRepository("");
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: removeTeamRepository, onSuccess: refresh });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <div data-testid="linear-teams">
      <h3>Team repositories</h3>
      {conn.teams.length === 0 ? (
        <p className="muted">
          No team has a repository: a delegated issue must name one (<code>owner/repo</code> or a GitHub
          link), or Nightshift asks in the agent panel.
        </p>
      ) : (
        <ul className="list">
          {conn.teams.map((t) => (
            <li key={t.teamId}>
              <code>{t.teamId}</code> → <code>{t.repository}</code>{" "}
              {editable ? (
                <button type="button" className="button button-ghost" onClick={() => remove.mutate(t.teamId)}>
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
            aria-label="Team id"
            placeholder="Linear team id (UUID)"
            value={teamId}
            onChange={(e) => setTeamId(e.target.value)}
          />
          <input
            aria-label="Repository"
            placeholder="owner/repo"
            value={repository}
            onChange={(e) => setRepository(e.target.value)}
          />
          <button type="submit" className="button" disabled={add.isPending || !teamId || !repository}>
            Set repository
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

function Organization({ conn, admin }: { conn: LinearConnection; admin: boolean }) {
  const queryClient = useQueryClient();
  const connect = useMutation({ mutationFn: goToLinearInstall });
  const disconnect = useMutation({
    mutationFn: disconnectLinear,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: linearKey }),
  });
  const leaving = connect.isPending || connect.isSuccess;
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
      <div className="form-actions">
        {admin ? (
          conn.organization ? (
            <button
              type="button"
              className="button"
              onClick={() => disconnect.mutate()}
              disabled={disconnect.isPending}
            >
              {disconnect.isPending ? "Disconnecting…" : "Disconnect Linear"}
            </button>
          ) : (
            <button
              type="button"
              className="button button-primary"
              onClick={() => connect.mutate()}
              disabled={leaving}
            >
              {leaving ? "Opening Linear…" : "Connect Linear"}
            </button>
          )
        ) : (
          <p className="muted">An admin can connect or disconnect Linear.</p>
        )}
      </div>
      {connect.isError || disconnect.isError ? (
        <p className="form-error" role="alert">
          {connect.isError
            ? `Could not start connecting Linear: ${describeError(connect.error)}`
            : `Could not disconnect: ${describeError(disconnect.error)}`}
        </p>
      ) : null}
      {/* Mappings are the tenant's own and survive a reconnect, so they show either way. */}
      <TeamRepositories conn={conn} editable={admin} />
    </div>
  );
}

export function LinearPanel({ admin }: { admin: boolean }) {
  const linear = useQuery({ queryKey: linearKey, queryFn: getLinearConnection });
  let body: React.ReactNode;
  if (linear.isPending) body = <Loading />;
  else if (linear.isError) body = <ErrorState error={linear.error} onRetry={() => void linear.refetch()} />;
  else if (!linear.data.configured)
    body = (
      <div className="card">
        <h2>Linear</h2>
        <p>
          <span className="badge badge-stopped">not configured</span> This deployment has no Linear app; see{" "}
          <code>docs/linear-app.md</code>.
        </p>
      </div>
    );
  else body = <Organization conn={linear.data} admin={admin} />;
  return (
    <div>
      <InstallResultNotice slug="linear" providerName="Linear" />
      {body}
    </div>
  );
}
