/**
 * Form pieces the settings panels share, so a field reads and behaves the same in every panel.
 * Words that differ between panels (a label, a checkbox's explanation) come from the panel.
 */
import { MODEL_PROVIDERS, type ModelProvider, RepoKey } from "@nightshift/protocol";
import type { ReactNode } from "react";
import { describeError } from "../api/http-client";
import { PROVIDER_LABELS } from "../ui/model-account-labels";

/** The control inside must carry the same `id`: that is what ties the label to it. */
export function Field({ id, label, children }: { id: string; label: ReactNode; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

/** A stored credential's scope: blank for every repository of the tenant. */
export function RepositoryScopeField({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string;
  onChange(value: string): void;
}) {
  return (
    <Field id={id} label="Repository (optional)">
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder="all repositories, or github:owner/name"
        autoComplete="off"
        spellCheck={false}
      />
    </Field>
  );
}

/** The scope field's text as the API takes it (null: every repository), or the error to show. */
export function repositoryScopeOf(text: string): { repo: string | null } | { error: string } {
  if (!text.trim()) return { repo: null };
  const parsed = RepoKey.safeParse(text.trim());
  return parsed.success
    ? { repo: parsed.data }
    : { error: `Repository: ${parsed.error.issues[0]?.message ?? "is not valid"}` };
}

/** The words differ by panel (secrets also say what members' sessions lose), so they come as children. */
export function AdminsOnlyField({
  id,
  checked,
  onChange,
  children,
}: {
  id: string;
  checked: boolean;
  onChange(checked: boolean): void;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />{" "}
        {children}
      </label>
    </div>
  );
}

export function ModelProviderSelect({
  id,
  value,
  onChange,
}: {
  id: string;
  value: ModelProvider;
  onChange(provider: ModelProvider): void;
}) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as ModelProvider)}>
      {MODEL_PROVIDERS.map((p) => (
        <option key={p} value={p}>
          {PROVIDER_LABELS[p]}
        </option>
      ))}
    </select>
  );
}

/**
 * A key or secret that is written and never read back. "new-password" keeps the browser from
 * filling in a saved password of the person's own.
 */
export function WriteOnlyInput({
  id,
  value,
  onChange,
  spellCheck,
}: {
  id: string;
  value: string;
  onChange(value: string): void;
  spellCheck?: boolean;
}) {
  return (
    <input
      type="password"
      id={id}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      autoComplete="new-password"
      spellCheck={spellCheck}
    />
  );
}

/**
 * One of what this deployment can run or, given `deploymentDefault`, "" for the deployment's own.
 * A stored choice the deployment can no longer run stays listed, so saving does not drop it unseen.
 */
export function DeploymentChoiceSelect({
  id,
  value,
  available,
  deploymentDefault,
  labelOf,
  onChange,
}: {
  id: string;
  value: string;
  available: readonly string[];
  deploymentDefault?: string;
  labelOf(name: string): string;
  onChange(value: string): void;
}) {
  const names = [...new Set([...available, ...(value ? [value] : [])])];
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      {deploymentDefault === undefined ? null : (
        <option value="">Deployment default ({labelOf(deploymentDefault)})</option>
      )}
      {names.map((name) => (
        <option key={name} value={name}>
          {labelOf(name)}
          {available.includes(name) ? "" : " (not available here)"}
        </option>
      ))}
    </select>
  );
}

/** The form's own check comes first: it is about what the person just typed, the request error is older. */
export function FormError({ message, error }: { message?: string | null; error?: unknown }) {
  if (!message && error == null) return null;
  return (
    <p className="form-error" role="alert">
      {message ?? describeError(error)}
    </p>
  );
}
