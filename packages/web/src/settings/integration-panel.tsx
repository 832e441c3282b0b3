/**
 * What the Slack and Linear settings panels share: the panel's states (loading, error, not
 * configured, the install result), connect through the provider's install page and disconnect for
 * admins, and a list of "<their id> → repository" defaults admins edit. Each panel says only what
 * differs: its names, its texts and its API calls.
 */
import { type QueryKey, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { describeError } from "../api/http-client";
import { ErrorState, Loading } from "../ui/states";
import { webUrl } from "../ui/web-url";
import { FormError } from "./form-fields";
import { InstallResultNotice } from "./install-result-notice";

export interface IntegrationApi<C extends { configured: boolean }> {
  /** "Slack", "Linear": in buttons and messages. */
  name: string;
  /** The install result's query parameter and the docs page (`docs/<slug>-app.md`). */
  slug: string;
  queryKey: QueryKey;
  load(): Promise<C>;
  /** The provider's install page to send the browser to. */
  installUrl(): Promise<string>;
  disconnect(): Promise<void>;
}

/** Loading, error, not configured, or `connected(conn)`; the install result above it. */
export function IntegrationPanel<C extends { configured: boolean }>({
  api,
  children,
}: {
  api: IntegrationApi<C>;
  children: (conn: C) => ReactNode;
}) {
  const query = useQuery({ queryKey: api.queryKey, queryFn: api.load });
  let body: ReactNode;
  if (query.isPending) body = <Loading />;
  else if (query.isError) body = <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  else if (!query.data.configured)
    body = (
      <div className="card">
        <h2>{api.name}</h2>
        <p>
          <span className="badge badge-stopped">not configured</span> This deployment has no {api.name} app;
          see <code>docs/{api.slug}-app.md</code>.
        </p>
      </div>
    );
  else body = children(query.data);
  return (
    <div>
      <InstallResultNotice slug={api.slug} providerName={api.name} />
      {body}
    </div>
  );
}

/** Connect (admins, when not connected) or disconnect (admins, when connected), with their errors. */
export function ConnectionActions({
  api,
  connected,
  admin,
}: {
  api: IntegrationApi<{ configured: boolean }>;
  connected: boolean;
  admin: boolean;
}) {
  const queryClient = useQueryClient();
  const connect = useMutation({
    mutationFn: async () => {
      const url = webUrl(await api.installUrl());
      if (!url)
        throw new Error(
          `The server answered with a ${api.name} address that is not http(s); not opening it.`,
        );
      window.location.assign(url);
    },
  });
  const disconnect = useMutation({
    mutationFn: api.disconnect,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: api.queryKey }),
  });
  const leaving = connect.isPending || connect.isSuccess;
  return (
    <>
      <div className="form-actions">
        {!admin ? (
          <p className="muted">An admin can connect or disconnect {api.name}.</p>
        ) : connected ? (
          <button
            type="button"
            className="button"
            onClick={() => disconnect.mutate()}
            disabled={disconnect.isPending}
          >
            {disconnect.isPending ? "Disconnecting…" : `Disconnect ${api.name}`}
          </button>
        ) : (
          <button
            type="button"
            className="button button-primary"
            onClick={() => connect.mutate()}
            disabled={leaving}
          >
            {leaving ? `Opening ${api.name}…` : `Connect ${api.name}`}
          </button>
        )}
      </div>
      {connect.isError || disconnect.isError ? (
        <p className="form-error" role="alert">
          {connect.isError
            ? `Could not start connecting ${api.name}: ${describeError(connect.error)}`
            : `Could not disconnect: ${describeError(disconnect.error)}`}
        </p>
      ) : null}
    </>
  );
}

export interface RepositoryMapping {
  key: string;
  repository: string;
}

/** "<their id> → owner/repo" rows; admins add and remove them. */
export function RepositoryMappings({
  testId,
  title,
  empty,
  keyLabel,
  keyPlaceholder,
  submitLabel,
  mappings,
  editable,
  queryKey,
  set,
  remove: removeMapping,
}: {
  testId: string;
  title: string;
  empty: ReactNode;
  keyLabel: string;
  keyPlaceholder: string;
  submitLabel: string;
  mappings: RepositoryMapping[];
  editable: boolean;
  queryKey: QueryKey;
  set(key: string, repository: string): Promise<unknown>;
  remove(key: string): Promise<unknown>;
}) {
  const queryClient = useQueryClient();
  const [key, setKey] = useState("");
  const [repository, setRepository] = useState("");
  const refresh = () => void queryClient.invalidateQueries({ queryKey });
  const add = useMutation({
    mutationFn: () => set(key.trim(), repository.trim()),
    onSuccess: () => {
      setKey("");
      setRepository("");
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: removeMapping, onSuccess: refresh });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <div data-testid={testId}>
      <h3>{title}</h3>
      {mappings.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="list">
          {mappings.map((m) => (
            <li key={m.key}>
              <code>{m.key}</code> → <code>{m.repository}</code>{" "}
              {editable ? (
                <button type="button" className="button button-ghost" onClick={() => remove.mutate(m.key)}>
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
            aria-label={keyLabel}
            placeholder={keyPlaceholder}
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
          <input
            aria-label="Repository"
            placeholder="owner/repo"
            value={repository}
            onChange={(e) => setRepository(e.target.value)}
          />
          <button type="submit" className="button" disabled={add.isPending || !key || !repository}>
            {submitLabel}
          </button>
        </form>
      ) : null}
      <FormError error={add.error ?? remove.error} />
    </div>
  );
}
