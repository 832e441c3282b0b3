/**
 * The tenant's upstream base URL per provider (a gateway, a proxy, a self-hosted model): the model
 * gateway calls it instead of the deployment's or the provider's public API. Owners and admins.
 */
import { MODEL_PROVIDERS, ModelSettings } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { PROVIDER_LABELS } from "../ui/model-account-labels";
import { ErrorState, Loading } from "../ui/states";
import { Field, FormError } from "./form-fields";
import { getModelSettings, modelAccountKeys, putModelSettings } from "./model-accounts-api";

type Draft = Record<(typeof MODEL_PROVIDERS)[number], string>;

export function ModelBaseUrls() {
  const queryClient = useQueryClient();
  const ids = { anthropic: useId(), openai: useId(), gemini: useId() };
  const settings = useQuery({ queryKey: modelAccountKeys.baseUrls, queryFn: getModelSettings });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: putModelSettings,
    onSuccess: (saved) => {
      queryClient.setQueryData(modelAccountKeys.baseUrls, saved);
      setDraft(null);
    },
  });

  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />;
  const stored = settings.data.baseUrls;
  const current: Draft = draft ?? {
    anthropic: stored.anthropic ?? "",
    openai: stored.openai ?? "",
    gemini: stored.gemini ?? "",
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    // Blank means "not set": this deployment's URL, or the provider's public API.
    const baseUrls = Object.fromEntries(
      MODEL_PROVIDERS.flatMap((p) => (current[p].trim() ? [[p, current[p].trim()]] : [])),
    );
    const parsed = ModelSettings.safeParse({ baseUrls });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const provider = issue?.path.at(-1);
      const label =
        typeof provider === "string" && provider in PROVIDER_LABELS
          ? PROVIDER_LABELS[provider as keyof Draft]
          : "Base URL";
      return setFormError(`${label}: ${issue?.message ?? "is not valid"}`);
    }
    setFormError(null);
    save.mutate(parsed.data);
  }

  return (
    <section aria-labelledby="model-base-urls">
      <h2 id="model-base-urls">Base URLs</h2>
      <p className="muted">
        Where the gateway sends each provider's calls, for a proxy or a self-hosted model. Blank: this
        deployment's default.
      </p>
      <form className="form" onSubmit={submit} aria-label="Base URLs">
        {MODEL_PROVIDERS.map((p) => (
          <Field key={p} id={ids[p]} label={`${PROVIDER_LABELS[p]} base URL`}>
            <input
              id={ids[p]}
              value={current[p]}
              onChange={(e) => setDraft({ ...current, [p]: e.target.value })}
              placeholder="https://…"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
        ))}
        <button type="submit" className="button button-primary" disabled={save.isPending || draft === null}>
          Save base URLs
        </button>
      </form>
      <FormError message={formError} error={save.error} />
    </section>
  );
}
