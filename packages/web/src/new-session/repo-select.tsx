/**
 * The repository picker: GitHub repositories (from the tenant's App installations) and local ones
 * in separate groups, so "acme/api" on GitHub and a local checkout of it cannot be mistaken.
 */
import type { RepoRef } from "@nightshift/protocol";
import { type RepoEntry, repoKey } from "./repos-api";

const GROUPS: { kind: RepoRef["kind"]; label: string }[] = [
  { kind: "github", label: "GitHub" },
  { kind: "local", label: "Local" },
];

export function RepoSelect({
  id,
  repos,
  value,
  onChange,
}: {
  id: string;
  repos: RepoEntry[];
  value: string;
  onChange(key: string): void;
}) {
  const groups = GROUPS.map((g) => ({ ...g, repos: repos.filter((r) => r.repo.kind === g.kind) })).filter(
    (g) => g.repos.length > 0,
  );
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required>
      <option value="">Choose…</option>
      {groups.map((g) => (
        <optgroup key={g.kind} label={g.label}>
          {g.repos.map((r) => (
            <option key={repoKey(r.repo)} value={repoKey(r.repo)}>
              {r.defaultBranch ? `${r.label} (${r.defaultBranch})` : r.label}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}
