/**
 * Warm start on a running stack: a local repository whose setup hook takes noticeable time (it
 * sleeps and writes a node_modules-like tree, as an install would), turning warm start on for
 * it, and waiting for its prebuilt snapshot. Used by the warm e2e test and the warm/cold bench.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RepoRef, WarmStartView } from "@nightshift/protocol";
import { createDemoRepo, git } from "./demo-repo";
import type { Stack } from "./stack";

/** An "install": `seconds` of waiting and `packages` small packages under node_modules. */
export function setupHook(seconds: number, packages: number): string {
  return [
    "#!/usr/bin/env bash",
    "set -euo pipefail",
    `sleep ${seconds}`,
    `for i in $(seq 1 ${packages}); do`,
    '  mkdir -p "node_modules/pkg-$i"',
    '  printf "module.exports = %s;\\n" "$i" > "node_modules/pkg-$i/index.js"',
    "done",
    "echo run >> .setup-runs",
    "",
  ].join("\n");
}

/** The demo repository plus `.nightshift/setup.sh` (and a .gitignore keeping its output out of commits). */
export function createSetupRepo(root: string, name: string, seconds = 2, packages = 300): string {
  const dir = createDemoRepo(root, name);
  git(dir, ["checkout", "-q", "main"]);
  const nightshift = join(dir, ".nightshift");
  git(dir, ["config", "user.name", "Nightshift Demo"]);
  git(dir, ["config", "user.email", "demo@nightshift.invalid"]);
  mkdirSync(nightshift, { recursive: true });
  writeFileSync(join(nightshift, "setup.sh"), setupHook(seconds, packages));
  writeFileSync(join(dir, ".gitignore"), "node_modules/\n.setup-runs\n");
  writeFileSync(join(dir, "package.json"), '{ "name": "warm-demo", "private": true }\n');
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "A setup hook that installs"]);
  return dir;
}

/** A new commit on the repository's main branch; answers its sha. */
export function commitOnMain(dir: string, path: string, text: string): string {
  writeFileSync(join(dir, path), text);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", `Change ${path}`]);
  return git(dir, ["rev-parse", "HEAD"]);
}

/**
 * Whose warm start, on which repository and provider: a local repository on the stack's own tenant
 * (`localWarm`), or any repository a signed-in user's tenant has (a GitHub one on a cloud provider).
 */
export interface WarmScope {
  url: string;
  tenantId: string;
  headers: Record<string, string>;
  repo: RepoRef;
  provider: string;
}

export function localWarm(stack: Stack, repoPath: string): WarmScope {
  return {
    url: stack.url,
    tenantId: stack.tenantId,
    headers: stack.headers,
    repo: { kind: "local", path: repoPath },
    provider: "local",
  };
}

function warmUrl(scope: WarmScope, path = ""): string {
  return `${scope.url}/api/v1/tenants/${scope.tenantId}/warm-start${path}`;
}

const sameRepo = (a: RepoRef, b: RepoRef) => JSON.stringify(a) === JSON.stringify(b);

export async function setWarmStart(scope: WarmScope, enabled: boolean): Promise<void> {
  const res = await fetch(warmUrl(scope), {
    method: "PUT",
    headers: { ...scope.headers, "content-type": "application/json" },
    body: JSON.stringify({ repo: scope.repo, enabled }),
  });
  if (res.status !== 200)
    throw new Error(`turning warm start ${enabled ? "on" : "off"} failed: ${res.status} ${await res.text()}`);
}

export async function rebuildWarmStart(scope: WarmScope): Promise<unknown> {
  const res = await fetch(warmUrl(scope, "/rebuild"), {
    method: "POST",
    headers: { ...scope.headers, "content-type": "application/json" },
    body: JSON.stringify({ repo: scope.repo }),
  });
  if (res.status !== 202) throw new Error(`rebuild failed: ${res.status} ${await res.text()}`);
  return res.json();
}

type SnapshotView = WarmStartView["repositories"][number]["snapshots"][number];

/** The repository's snapshot on the scope's provider, as the API shows it. */
export async function warmSnapshotOf(scope: WarmScope): Promise<SnapshotView | null> {
  const res = await fetch(warmUrl(scope), { headers: scope.headers });
  const view = (await res.json()) as WarmStartView;
  const repo = view.repositories.find((r) => sameRepo(r.repo, scope.repo));
  return repo?.snapshots.find((s) => s.provider === scope.provider) ?? null;
}

/** Waits for a fresh, ready snapshot (built after `after`, when given); fails on a failed prebuild. */
export async function waitForWarmSnapshot(
  scope: WarmScope,
  options: { after?: string; timeoutMs?: number } = {},
): Promise<SnapshotView> {
  const name = scope.repo.kind === "local" ? scope.repo.path : `${scope.repo.owner}/${scope.repo.name}`;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  // A prebuild takes seconds (a clone and the setup hook): ask four times a second, not a hundred.
  for (;;) {
    const last = await warmSnapshotOf(scope);
    if (last?.state === "failed") throw new Error(`the prebuild of ${name} failed: ${last.reason}`);
    if (last?.state === "ready" && last.fresh && (!options.after || (last.builtAt ?? "") > options.after))
      return last;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for a warm snapshot of ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
