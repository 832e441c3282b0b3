/**
 * Warm starts. A prebuild sandbox (NIGHTSHIFT_PREBUILD=1) clones the default branch, runs the
 * setup hook, and writes a marker into `.git` naming the commit it built at; the provider then
 * snapshots the workdir. A session sandbox seeded from that snapshot finds the marker (and no
 * state of its own: the state dir is never in a snapshot), so instead of cloning it fetches,
 * checks out the session branch from the base, and skips the setup hook when none of its inputs
 * changed since the prebuild. Anything wrong on the warm path empties the workdir and starts cold.
 *
 * The setup hook's inputs: everything under `.nightshift/` (the hook itself and what it reads)
 * and the dependency manifests and lockfiles below. A change to any of them between the
 * prebuild's commit and the new base runs the hook again. (A prebuild whose setup failed has no
 * marker: it fails, and no snapshot is taken.)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import type { Emit } from "../events/event-sink";
import { createGit, type Git, gitErrorText } from "./git";
import { type RunStartHooksOptions, runHook, runStartHooks } from "./hooks";
import {
  classifyRepoUrl,
  prepareWorkspace,
  type WorkspaceOptions,
  type WorkspaceResult,
} from "./prepare-workspace";

/** Where the prebuild leaves its marker: inside `.git`, so it is never part of the agent's tree. */
export const WARM_MARKER = "nightshift-warm.json";
/** In the state dir: this sandbox already took the warm path (a runtime restart must not redo it). */
const WARM_DONE = "warm-start.done";
/** In the state dir: hooks.ts skips the setup hook when it is there. */
const SETUP_DONE = "setup-hook.done";

const WarmMarker = z.object({
  commit: z.string().regex(/^[0-9a-f]{40,64}$/),
  baseBranch: z.string().min(1).max(255),
  builtAt: z.string(),
});
type WarmMarker = z.infer<typeof WarmMarker>;

/** Files whose change means the setup hook's result may be stale (by base name, anywhere in the tree). */
const DEPENDENCY_FILES = new Set([
  "package.json",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  "yarn.lock",
  "bun.lockb",
  "bun.lock",
  ".nvmrc",
  ".node-version",
  ".tool-versions",
  "requirements.txt",
  "pyproject.toml",
  "poetry.lock",
  "uv.lock",
  "Pipfile.lock",
  "Gemfile",
  "Gemfile.lock",
  "go.mod",
  "go.sum",
  "Cargo.toml",
  "Cargo.lock",
  "composer.lock",
  "mix.lock",
]);

/** Whether a changed path is one of the setup hook's inputs. */
export function isSetupInput(path: string): boolean {
  return path.startsWith(".nightshift/") || DEPENDENCY_FILES.has(basename(path));
}

export type WorkspaceStart = "cold" | "warm" | "prebuild";

export interface WorkspaceStepsOptions extends WorkspaceOptions {
  stateDir: string;
  prebuild: boolean;
  hooks: Omit<RunStartHooksOptions, "stateDir" | "workdir" | "emit" | "log">;
  /** Told how the workspace came to be and at which commit, before `ready` is sent. */
  onPrepared?(start: WorkspaceStart, head: string | null): void;
}

export interface WorkspaceSteps {
  prepare(): Promise<WorkspaceResult>;
  runHooks(): Promise<boolean>;
}

function readMarker(workdir: string): WarmMarker | null {
  try {
    const parsed = WarmMarker.safeParse(JSON.parse(readFileSync(join(workdir, ".git", WARM_MARKER), "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Empties the workdir (keeping the directory itself, which the host bound into the sandbox). */
function emptyDirectory(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

function log(emit: Emit, text: string, stream: "stdout" | "stderr" = "stdout"): void {
  emit({ type: "log", source: "workspace", stream, text: `${text}\n` });
}

type WarmCheckout = { ok: true; head: string; skipSetup: boolean } | { ok: false; why: string };

async function warmCheckout(options: WorkspaceStepsOptions, marker: WarmMarker): Promise<WarmCheckout> {
  const { branch, emit } = options;
  const git: Git = createGit(options.workdir, options.gitEnv, { repoUrl: options.repoUrl });
  const refCheck = await createGit("/", options.gitEnv)(["check-ref-format", "--branch", branch]);
  if (refCheck.code !== 0) return { ok: false, why: `"${branch}" is not a valid git branch name` };
  const remote = classifyRepoUrl(options.repoUrl).kind === "remote";
  const fetched = await git(["fetch", "--no-tags", "--prune", "origin"], { credentials: remote });
  if (fetched.code !== 0) return { ok: false, why: `fetching failed: ${gitErrorText(fetched)}` };
  const base = options.baseBranch || marker.baseBranch;
  // A branch that already exists on the remote (a follow-up on an open PR) is continued.
  const own = await git(["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}`]);
  const from = own.code === 0 ? `origin/${branch}` : `origin/${base}`;
  const checkout = await git(["checkout", "-q", "-B", branch, `refs/remotes/${from}`]);
  if (checkout.code !== 0)
    return { ok: false, why: `checking out ${from} failed: ${gitErrorText(checkout)}` };
  const head = (await git(["rev-parse", "HEAD"])).stdout.trim();
  log(
    emit,
    `warm start: the workspace was prebuilt at ${marker.commit.slice(0, 12)}; fetched and checked out ${branch} from ${from} (${head.slice(0, 12)}) without cloning`,
  );
  const diff = await git(["diff", "--name-only", "--no-renames", marker.commit, "HEAD"]);
  if (diff.code !== 0) {
    log(emit, "the prebuild's commit is not in the history any more: .nightshift/setup.sh runs again");
    return { ok: true, head, skipSetup: false };
  }
  const changed = diff.stdout.split("\n").filter((path) => path.length > 0 && isSetupInput(path));
  if (changed.length > 0) {
    const shown = changed.slice(0, 5).join(", ") + (changed.length > 5 ? ", ..." : "");
    log(
      emit,
      `the setup hook's inputs changed since the prebuild (${shown}): .nightshift/setup.sh runs again`,
    );
    return { ok: true, head, skipSetup: false };
  }
  log(emit, "the setup hook's inputs did not change since the prebuild: .nightshift/setup.sh is skipped");
  return { ok: true, head, skipSetup: true };
}

/** The workspace and hook steps for SessionController: prebuild, warm or cold. */
export function workspaceSteps(options: WorkspaceStepsOptions): WorkspaceSteps {
  const { emit, workdir, stateDir } = options;
  let start: WorkspaceStart = options.prebuild ? "prebuild" : "cold";
  let skipSetup = false;
  let head: string | null = null;
  const hookOptions = { ...options.hooks, workdir, stateDir, emit, log: options.log };

  const cold = async (): Promise<WorkspaceResult> => {
    const result = await prepareWorkspace(options);
    if (result.ok) head = result.head;
    return result;
  };

  return {
    async prepare() {
      if (options.prebuild) return cold();
      const marker = readMarker(workdir);
      if (!marker || existsSync(join(stateDir, WARM_DONE))) return cold();
      const warm = await warmCheckout(options, marker);
      if (!warm.ok) {
        log(emit, `warm start failed (${warm.why}); cloning instead`, "stderr");
        emptyDirectory(workdir);
        return cold();
      }
      writeFileSync(join(stateDir, WARM_DONE), marker.commit);
      start = "warm";
      skipSetup = warm.skipSetup;
      head = warm.head;
      return { ok: true, head: warm.head, reused: true };
    },

    async runHooks() {
      if (!options.prebuild) {
        if (skipSetup) writeFileSync(join(stateDir, SETUP_DONE), "prebuilt");
        const ok = await runStartHooks(hookOptions);
        if (ok) options.onPrepared?.(start, head);
        return ok;
      }
      // A prebuild runs setup only (start.sh belongs to each session), then marks what it built.
      const setup = await runHook({ ...hookOptions, name: "setup" });
      if (!setup.ok || !head) return false;
      return markPrebuilt(options, head, setup.ran);
    },
  };
}

/** Writes the marker and leaves HEAD detached, so no prebuild branch lingers in the snapshot. */
async function markPrebuilt(
  options: WorkspaceStepsOptions,
  head: string,
  setupRan: boolean,
): Promise<boolean> {
  const git = createGit(options.workdir, options.gitEnv, { repoUrl: options.repoUrl });
  const upstream = await git(["rev-parse", "--abbrev-ref", "refs/remotes/origin/HEAD"]);
  const baseBranch =
    options.baseBranch || (upstream.code === 0 ? upstream.stdout.trim().replace(/^origin\//, "") : "");
  if (!baseBranch) {
    options.emit({
      type: "error",
      code: "prebuild_failed",
      message: "cannot tell which branch the prebuild cloned (origin/HEAD is missing)",
    });
    return false;
  }
  await git(["checkout", "-q", "--detach"]);
  await git(["branch", "-q", "-D", options.branch]);
  const marker: WarmMarker = { commit: head, baseBranch, builtAt: new Date().toISOString() };
  writeFileSync(join(options.workdir, ".git", WARM_MARKER), JSON.stringify(marker));
  log(
    options.emit,
    `prebuild ready at ${head.slice(0, 12)} (${baseBranch})${setupRan ? ", setup hook done" : ", no setup hook"}`,
  );
  options.onPrepared?.("prebuild", head);
  return true;
}
