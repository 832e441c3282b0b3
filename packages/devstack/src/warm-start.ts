/**
 * Warm start on a running stack: a local repository whose setup hook takes noticeable time (it
 * sleeps and writes a node_modules-like tree, as an install would), turning warm start on for
 * it, and waiting for its prebuilt snapshot. Used by the warm e2e test and the warm/cold bench.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { WarmStartView } from "@nightshift/protocol";
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

function warmUrl(stack: Stack, path = ""): string {
  return `${stack.url}/api/v1/tenants/${stack.tenantId}/warm-start${path}`;
}

export async function setWarmStart(stack: Stack, repoPath: string, enabled: boolean): Promise<void> {
  const res = await fetch(warmUrl(stack), {
    method: "PUT",
    headers: stack.headers,
    body: JSON.stringify({ repo: { kind: "local", path: repoPath }, enabled }),
  });
  if (res.status !== 200)
    throw new Error(`turning warm start ${enabled ? "on" : "off"} failed: ${res.status} ${await res.text()}`);
}

export async function rebuildWarmStart(stack: Stack, repoPath: string): Promise<unknown> {
  const res = await fetch(warmUrl(stack, "/rebuild"), {
    method: "POST",
    headers: stack.headers,
    body: JSON.stringify({ repo: { kind: "local", path: repoPath } }),
  });
  if (res.status !== 202) throw new Error(`rebuild failed: ${res.status} ${await res.text()}`);
  return res.json();
}

type SnapshotView = WarmStartView["repositories"][number]["snapshots"][number];

/** The repository's snapshot on the local provider, as the API shows it. */
export async function warmSnapshotOf(stack: Stack, repoPath: string): Promise<SnapshotView | null> {
  const res = await fetch(warmUrl(stack), { headers: stack.headers });
  const view = (await res.json()) as WarmStartView;
  const repo = view.repositories.find((r) => r.repo.kind === "local" && r.repo.path === repoPath);
  return repo?.snapshots.find((s) => s.provider === "local") ?? null;
}

/** Waits for a fresh, ready snapshot (built after `after`, when given); fails on a failed prebuild. */
export async function waitForWarmSnapshot(
  stack: Stack,
  repoPath: string,
  options: { after?: string; timeoutMs?: number } = {},
): Promise<SnapshotView> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  // A prebuild takes seconds (a clone and the setup hook): ask four times a second, not a hundred.
  for (;;) {
    const last = await warmSnapshotOf(stack, repoPath);
    if (last?.state === "failed") throw new Error(`the prebuild of ${repoPath} failed: ${last.reason}`);
    if (last?.state === "ready" && last.fresh && (!options.after || (last.builtAt ?? "") > options.after))
      return last;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for a warm snapshot of ${repoPath}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
