/**
 * Model accounts: "Your accounts" (anyone: a credential per provider, used only for sessions you
 * start, before the tenant's) and "Tenant accounts" (members see the list, admins edit it and the
 * base URL per provider). Values are write-only: a masked hint is all that comes back.
 */
import {
  type ModelAccountKind,
  type ModelProvider,
  modelAccountProblem,
  PutModelAccountRequest,
} from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { KIND_LABELS, PROVIDER_LABELS } from "../ui/model-account-labels";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import { Field, FormError, ModelProviderSelect, WriteOnlyInput } from "./form-fields";
import { deleteMyAccount, listMyAccounts, modelAccountKeys, putMyAccount } from "./model-accounts-api";
import { ModelBaseUrls } from "./model-base-urls";
import { TenantModelAccounts } from "./tenant-model-accounts";

function YourAccounts() {
  const queryClient = useQueryClient();
  const ids = { provider: useId(), kind: useId(), value: useId() };
  const accounts = useQuery({ queryKey: modelAccountKeys.mine, queryFn: listMyAccounts });
  const [provider, setProvider] = useState<ModelProvider>("anthropic");
  const [kind, setKind] = useState<ModelAccountKind>("api_key");
  const [value, setValue] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: modelAccountKeys.mine });
  const save = useMutation({
    mutationFn: (v: { provider: ModelProvider; kind: ModelAccountKind; value: string }) =>
      putMyAccount(v.provider, v.kind, v.value),
    onSuccess: () => {
      setValue("");
      void refresh();
    },
  });
  const remove = useMutation({ mutationFn: deleteMyAccount, onSuccess: () => void refresh() });

  function pickProvider(next: ModelProvider) {
    setProvider(next);
    if (next !== "anthropic") setKind("api_key");
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = PutModelAccountRequest.safeParse({ kind, value });
    if (!parsed.success) return setFormError(`Value ${parsed.error.issues[0]?.message ?? "is not valid"}`);
    const problem = modelAccountProblem(provider, parsed.data.kind, parsed.data.value);
    if (problem) return setFormError(problem);
    setFormError(null);
    save.mutate({ provider, kind: parsed.data.kind, value: parsed.data.value });
  }

  return (
    <section aria-labelledby="your-accounts">
      <h2 id="your-accounts">Your accounts</h2>
      <p className="muted">
        Your own credential for a provider is used for the sessions you start in this tenant, before the
        tenant's account, and never for anyone else's session. It stays in the control plane: sandboxes never
        see it. Where the tenant sends a provider's calls to its own base URL, only the tenant's account goes
        there: yours is not used for that provider.
      </p>
      {accounts.isPending ? (
        <Loading />
      ) : accounts.isError ? (
        <ErrorState error={accounts.error} onRetry={() => void accounts.refetch()} />
      ) : accounts.data.length === 0 ? (
        <EmptyState title="No accounts of your own">Your sessions use the tenant's accounts.</EmptyState>
      ) : (
        <ul className="list" aria-label="Your model accounts">
          {accounts.data.map((a) => (
            <li key={a.provider} className="list-row">
              <strong>{PROVIDER_LABELS[a.provider]}</strong>
              <span className="muted small">
                {" · "}
                {KIND_LABELS[a.kind]} <code>{a.hint}</code> · updated {new Date(a.updatedAt).toLocaleString()}
              </span>{" "}
              <button
                type="button"
                className="button button-ghost"
                onClick={() => remove.mutate(a.provider)}
                aria-label={`Delete your ${PROVIDER_LABELS[a.provider]} account`}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form inline-form" onSubmit={submit} aria-label="Set your account">
        <Field id={ids.provider} label="Provider">
          <ModelProviderSelect id={ids.provider} value={provider} onChange={pickProvider} />
        </Field>
        <Field id={ids.kind} label="Kind">
          <select id={ids.kind} value={kind} onChange={(e) => setKind(e.target.value as ModelAccountKind)}>
            <option value="api_key">{KIND_LABELS.api_key}</option>
            {provider === "anthropic" ? (
              <option value="subscription_token">{KIND_LABELS.subscription_token}</option>
            ) : null}
          </select>
        </Field>
        <Field id={ids.value} label="Your key">
          <WriteOnlyInput id={ids.value} value={value} onChange={setValue} spellCheck={false} />
        </Field>
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save your account
        </button>
      </form>
      {kind === "subscription_token" ? (
        <p className="muted small">
          Paste what <code>claude setup-token</code> prints (sk-ant-oat…). It is used only for your Claude
          Code sessions. Anthropic's terms for your plan apply to how you use it.
        </p>
      ) : null}
      <FormError message={formError} error={save.error ?? remove.error} />
    </section>
  );
}

export function ModelAccountsPanel({ admin }: { admin: boolean }) {
  return (
    <div>
      <p className="muted">
        The model gateway calls each provider with the first account it finds: the session creator's own, then
        the tenant's (a repository's, then the tenant-wide one), then this deployment's key. The session view
        says which one paid.
      </p>
      <YourAccounts />
      <TenantModelAccounts editable={admin} />
      {admin ? <ModelBaseUrls /> : null}
    </div>
  );
}
