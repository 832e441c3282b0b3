/**
 * Tenant model accounts: the tenant's API key per provider, tenant-wide or for one repository.
 * Every member sees which exist (masked); owners and admins set and delete them.
 */
import { type ModelProvider, PutTenantModelAccountRequest } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { PROVIDER_LABELS } from "../ui/model-account-labels";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import {
  AdminsOnlyField,
  Field,
  FormError,
  ModelProviderSelect,
  RepositoryScopeField,
  repositoryScopeOf,
  WriteOnlyInput,
} from "./form-fields";
import {
  deleteTenantAccount,
  listTenantAccounts,
  modelAccountKeys,
  putTenantAccount,
} from "./model-accounts-api";

export function TenantModelAccounts({ editable }: { editable: boolean }) {
  const queryClient = useQueryClient();
  const ids = { provider: useId(), value: useId(), repo: useId(), adminOnly: useId() };
  const accounts = useQuery({ queryKey: modelAccountKeys.tenant, queryFn: listTenantAccounts });
  const [provider, setProvider] = useState<ModelProvider>("anthropic");
  const [value, setValue] = useState("");
  const [repo, setRepo] = useState("");
  const [adminOnly, setAdminOnly] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: modelAccountKeys.tenant });
  const save = useMutation({
    mutationFn: putTenantAccount,
    onSuccess: () => {
      setValue("");
      setRepo("");
      setAdminOnly(false);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (v: { provider: ModelProvider; repo: string | null }) =>
      deleteTenantAccount(v.provider, v.repo),
    onSuccess: () => void refresh(),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = PutTenantModelAccountRequest.safeParse({ value });
    if (!parsed.success) return setFormError(`Value ${parsed.error.issues[0]?.message ?? "is not valid"}`);
    const scope = repositoryScopeOf(repo);
    if ("error" in scope) return setFormError(scope.error);
    setFormError(null);
    save.mutate({ provider, value: parsed.data.value, repo: scope.repo, adminOnly });
  }

  return (
    <section aria-labelledby="tenant-accounts">
      <h2 id="tenant-accounts">Tenant accounts</h2>
      <p className="muted">
        The tenant's API key for a provider, used for every session whose creator has no account of their own.
        {editable ? "" : " Owners and admins manage them."}
      </p>
      {accounts.isPending ? (
        <Loading />
      ) : accounts.isError ? (
        <ErrorState error={accounts.error} onRetry={() => void accounts.refetch()} />
      ) : accounts.data.length === 0 ? (
        <EmptyState title="No tenant accounts">
          Sessions use this deployment's keys, if it has any.
        </EmptyState>
      ) : (
        <ul className="list" aria-label="Tenant model accounts">
          {accounts.data.map((a) => (
            <li key={`${a.provider}/${a.repo ?? ""}`} className="list-row">
              <strong>{PROVIDER_LABELS[a.provider]}</strong>
              <span className="muted small">
                {" · "}
                {a.repo ?? "all repositories"} · API key <code>{a.hint}</code>
                {a.adminOnly ? " · admins' sessions only" : ""}
              </span>{" "}
              {editable ? (
                <button
                  type="button"
                  className="button button-ghost"
                  onClick={() => remove.mutate({ provider: a.provider, repo: a.repo })}
                  aria-label={`Delete the tenant's ${PROVIDER_LABELS[a.provider]} account${a.repo ? ` for ${a.repo}` : ""}`}
                >
                  Delete
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {editable ? (
        <form className="form inline-form" onSubmit={submit} aria-label="Set a tenant account">
          <Field id={ids.provider} label="Tenant provider">
            <ModelProviderSelect id={ids.provider} value={provider} onChange={setProvider} />
          </Field>
          <Field id={ids.value} label="Tenant API key">
            <WriteOnlyInput id={ids.value} value={value} onChange={setValue} spellCheck={false} />
          </Field>
          <RepositoryScopeField id={ids.repo} value={repo} onChange={setRepo} />
          <AdminsOnlyField id={ids.adminOnly} checked={adminOnly} onChange={setAdminOnly}>
            Admins' sessions only
          </AdminsOnlyField>
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            Save tenant account
          </button>
        </form>
      ) : null}
      <FormError message={formError} error={save.error ?? remove.error} />
    </section>
  );
}
