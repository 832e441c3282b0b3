/**
 * The repository part of the automation form: one fixed repository (picked from those the tenant
 * has, or typed where the Worker lists none), or one named by the payload at a path — checked for
 * the acting user's write access on every run.
 */
import { Link } from "react-router";
import { RepoSelect } from "../new-session/repo-select";
import type { RepoList } from "../new-session/repos-api";
import { FormField } from "./form-field";
import type { Draft, FieldErrors } from "./form-state";

export function RepoFields({
  draft,
  errors,
  repos,
  onChange,
}: {
  draft: Draft;
  errors: FieldErrors;
  repos: RepoList;
  onChange(patch: Partial<Draft>): void;
}) {
  return (
    <>
      <fieldset className="field">
        <legend>Repository</legend>
        <div className="segmented" role="radiogroup" aria-label="Repository source">
          <label>
            <input
              type="radio"
              name="repo-mode"
              value="fixed"
              checked={draft.repoMode === "fixed"}
              onChange={() => onChange({ repoMode: "fixed" })}
            />
            A fixed repository
          </label>
          <label>
            <input
              type="radio"
              name="repo-mode"
              value="payload"
              checked={draft.repoMode === "payload"}
              onChange={() => onChange({ repoMode: "payload" })}
            />
            From the payload
          </label>
        </div>
      </fieldset>
      {draft.repoMode === "payload" ? (
        <FormField
          label="Repository path in the payload"
          hint='Where the payload names the repository as "owner/name"; the acting user must be able to write to it.'
          error={errors.repoPath}
        >
          {(control) => (
            <input
              {...control}
              value={draft.repoPath}
              onChange={(e) => onChange({ repoPath: e.target.value })}
              spellCheck={false}
              autoComplete="off"
              className="mono"
            />
          )}
        </FormField>
      ) : repos.available ? (
        <FormField label="Fixed repository" error={errors.repo}>
          {(control) =>
            repos.repos.length === 0 ? (
              <p className="muted" id={control.id}>
                No repositories yet. Connect GitHub in <Link to="/settings/github">Settings</Link>.
              </p>
            ) : (
              <RepoSelect
                id={control.id}
                repos={repos.repos}
                value={draft.repoChoice}
                onChange={(repoChoice) => onChange({ repoChoice })}
              />
            )
          }
        </FormField>
      ) : (
        <div className="field-row">
          <FormField label="Repository kind">
            {(control) => (
              <select
                {...control}
                value={draft.manualRepoKind}
                onChange={(e) => onChange({ manualRepoKind: e.target.value as Draft["manualRepoKind"] })}
              >
                <option value="github">GitHub</option>
                <option value="local">Local path</option>
              </select>
            )}
          </FormField>
          <FormField label="Fixed repository" error={errors.repo}>
            {(control) => (
              <input
                {...control}
                value={draft.manualRepo}
                onChange={(e) => onChange({ manualRepo: e.target.value })}
                placeholder={draft.manualRepoKind === "local" ? "demo-repo" : "owner/name"}
                spellCheck={false}
                autoComplete="off"
              />
            )}
          </FormField>
        </div>
      )}
    </>
  );
}
