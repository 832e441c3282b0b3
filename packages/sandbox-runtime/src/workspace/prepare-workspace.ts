/**
 * Gets the workspace ready: clone the repository into the workdir (or reuse a clone a previous
 * run of this runtime left) and check out the session branch (the remote one when it exists, so
 * follow-ups continue a PR branch). The credential helper is never written into the clone's
 * config: only the runtime's own network commands get it, on their command line (see git.ts).
 * Progress streams as `log` events; failures become `error` events that say what to do next.
 */
import { existsSync, lstatSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Emit } from "../events/event-sink";
import type { Logger } from "../log";
import { createGit, type Git, type GitEnvironment, gitErrorText } from "./git";

export type RepoSource =
  | { kind: "local"; path: string }
  | { kind: "remote"; url: string }
  | { kind: "invalid"; reason: string };

export function classifyRepoUrl(repoUrl: string): RepoSource {
  if (repoUrl.startsWith("/")) return { kind: "local", path: repoUrl };
  let url: URL;
  try {
    url = new URL(repoUrl);
  } catch {
    return { kind: "invalid", reason: "is neither an absolute path nor a URL" };
  }
  if (url.protocol === "file:") return { kind: "local", path: decodeURIComponent(url.pathname) };
  if (url.protocol === "https:" || url.protocol === "http:") return { kind: "remote", url: repoUrl };
  return {
    kind: "invalid",
    reason: `uses ${url.protocol} which is not supported; use https:// or a local path`,
  };
}

/** The URL as it may be shown: without any user or password in it. */
export function displayRepoUrl(repoUrl: string): string {
  try {
    const url = new URL(repoUrl);
    url.username = "";
    url.password = "";
    return url.toString();
  } catch {
    return repoUrl;
  }
}

export interface WorkspaceOptions {
  repoUrl: string;
  workdir: string;
  branch: string;
  baseBranch?: string | undefined;
  /** Remote repositories get the credential helper from here, on the command line only. */
  gitEnv: GitEnvironment;
  emit: Emit;
  log: Logger;
}

export type WorkspaceResult = { ok: true; head: string | null; reused: boolean } | { ok: false };

/** Clone progress lines repeat with a new percentage many times a second; keep about one a second. */
function progressThrottle(emit: Emit): (chunk: Buffer) => void {
  let lastPercent = 0;
  let partial = "";
  return (chunk) => {
    partial += chunk.toString("utf8");
    const pieces = partial.split(/[\r\n]/);
    partial = pieces.pop() ?? "";
    const kept: string[] = [];
    for (const line of pieces) {
      if (line.trim() === "") continue;
      const isPercent = /\d+% \(/.test(line) && !/done/.test(line);
      if (isPercent && Date.now() - lastPercent < 1000) continue;
      if (isPercent) lastPercent = Date.now();
      kept.push(line);
    }
    if (kept.length > 0)
      emit({ type: "log", source: "clone", stream: "stdout", text: `${kept.join("\n")}\n` });
  };
}

export async function prepareWorkspace(options: WorkspaceOptions): Promise<WorkspaceResult> {
  const { emit, workdir, branch } = options;
  const fail = (code: string, message: string): WorkspaceResult => {
    emit({ type: "error", code, message });
    options.log.error(message);
    return { ok: false };
  };
  const source = classifyRepoUrl(options.repoUrl);
  const shown = displayRepoUrl(options.repoUrl);
  if (source.kind === "invalid") return fail("workspace_failed", `NIGHTSHIFT_REPO_URL ${source.reason}`);
  const git = createGit(workdir, options.gitEnv, { repoUrl: options.repoUrl });

  const refCheck = await createGit("/", options.gitEnv)(["check-ref-format", "--branch", branch]);
  if (refCheck.code !== 0) {
    return fail(
      "workspace_failed",
      `"${branch}" is not a valid git branch name; the session needs another branch`,
    );
  }

  const gitDir = lstatOrNull(`${workdir}/.git`);
  if (gitDir && !gitDir.isDirectory()) {
    return fail(
      "workspace_failed",
      `${workdir}/.git is not a directory (a file or symlink there would point git at another repository); remove the workspace and start a new session`,
    );
  }
  const reused = gitDir !== null;
  if (reused) {
    emit({
      type: "log",
      source: "clone",
      stream: "stdout",
      text: `reusing the existing checkout in ${workdir}\n`,
    });
  } else {
    const cloned = await clone(options, source, shown);
    if (!cloned.ok) return cloned;
  }

  const checkedOut = await checkoutBranch(git, branch, reused, source.kind === "remote", emit);
  if (!checkedOut.ok)
    return fail("workspace_failed", `cannot check out branch ${branch}: ${checkedOut.error}`);
  const head = await git(["rev-parse", "--verify", "--quiet", "HEAD"]);
  return { ok: true, head: head.code === 0 ? head.stdout.trim() : null, reused };
}

function lstatOrNull(path: string): ReturnType<typeof lstatSync> | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

async function clone(
  options: WorkspaceOptions,
  source: Exclude<RepoSource, { kind: "invalid" }>,
  shown: string,
): Promise<{ ok: true } | { ok: false }> {
  const { emit, workdir } = options;
  if (source.kind === "local" && !(existsSync(source.path) && statSync(source.path).isDirectory())) {
    const message = `the repository ${source.path} does not exist inside the sandbox; check the repository path the session was created with`;
    emit({ type: "error", code: "workspace_failed", message });
    return { ok: false };
  }
  mkdirSync(dirname(workdir), { recursive: true });
  emit({
    type: "log",
    source: "clone",
    stream: "stdout",
    text: `cloning ${shown}${options.baseBranch ? ` (branch ${options.baseBranch})` : ""}\n`,
  });
  const started = Date.now();
  const args = [
    "clone",
    "--no-recurse-submodules",
    "--progress",
    // Copy objects instead of hard-linking them into the user's repository.
    ...(source.kind === "local" ? ["--no-hardlinks"] : []),
    ...(options.baseBranch ? ["--branch", options.baseBranch] : []),
    "--",
    source.kind === "local" ? source.path : source.url,
    workdir,
  ];
  const result = await createGit(dirname(workdir), options.gitEnv)(args, {
    credentials: source.kind === "remote",
    onStderr: progressThrottle(emit),
  });
  if (result.code !== 0) {
    const hint =
      options.baseBranch && /not found in upstream|Remote branch/.test(result.stderr)
        ? `; the base branch ${options.baseBranch} does not exist`
        : source.kind === "remote"
          ? "; check that the repository exists and that the control plane's git proxy can reach it"
          : "";
    const message = `cloning ${shown} failed: ${gitErrorText(result)}${hint}`;
    emit({ type: "error", code: "workspace_failed", message });
    options.log.error(message);
    return { ok: false };
  }
  emit({
    type: "log",
    source: "clone",
    stream: "stdout",
    text: `cloned ${shown} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  });
  return { ok: true };
}

async function checkoutBranch(
  git: Git,
  branch: string,
  reused: boolean,
  remoteRepo: boolean,
  emit: Emit,
): Promise<{ ok: true } | { ok: false; error: string }> {
  // A reused checkout (a sandbox resumed from a provider snapshot of the last one) may be behind
  // the pushed branch, which is the truth: fetch, and take the remote branch when it exists.
  if (reused) {
    const fetched = await git(["fetch", "--no-tags", "--prune", "origin"], { credentials: remoteRepo });
    if (fetched.code !== 0) {
      emit({
        type: "log",
        source: "clone",
        stream: "stderr",
        text: `could not fetch into the existing checkout (${gitErrorText(fetched)}); continuing from it as it is\n`,
      });
    }
  }
  if (reused) {
    // A fresh clone has no local branch of its own yet: this is only for a reused checkout.
    const local = await git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]);
    const pushed = await git(["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}`]);
    if (local.code === 0 && pushed.code !== 0) {
      const result = await git(["checkout", branch]);
      return result.code === 0 ? { ok: true } : { ok: false, error: gitErrorText(result) };
    }
  }
  // A branch that already exists on the remote (a follow-up on an open PR) is continued, not restarted.
  const remote = await git(["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}`]);
  const result =
    remote.code === 0
      ? await git(["checkout", "-B", branch, `refs/remotes/origin/${branch}`])
      : await git(["checkout", "-B", branch]);
  return result.code === 0 ? { ok: true } : { ok: false, error: gitErrorText(result) };
}
