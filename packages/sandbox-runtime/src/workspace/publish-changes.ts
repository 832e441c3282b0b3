/**
 * Git after a turn: commit what the agent changed (author = the prompting user, committer and
 * co-author Nightshift), push the session branch, and report it as a `git.push` event with
 * diff stats. A failed push is an `error` event, never a crash; the commit stays and the next
 * turn pushes it again. Repository hooks never run (see git.ts): the agent's work must land even
 * when a pre-commit hook would reject it (the PR review is the gate), and a hook would see the
 * credential. The push goes to the session's repository URL, never to whatever `origin` says.
 */
import type { Emit } from "../events/event-sink";
import type { Logger } from "../log";
import { type Git, gitErrorText } from "./git";

export const NIGHTSHIFT_IDENTITY = { name: "Nightshift", email: "nightshift@users.noreply.github.com" };
export const CO_AUTHOR_TRAILER = `Co-authored-by: ${NIGHTSHIFT_IDENTITY.name} <${NIGHTSHIFT_IDENTITY.email}>`;
/** git's empty tree: the base for stats when the branch had no commit before. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const SUBJECT_MAX = 72;

export interface Author {
  name: string;
  email: string;
}

/** Subject ≤ 72 characters from the summary (or the prompt), the rest as body, then the trailer. */
export function commitMessage(summary: string | undefined, promptText: string): string {
  const source = (summary ?? "").trim() || promptText.trim() || "Changes by Nightshift";
  const [firstLine = "", ...rest] = source.split("\n");
  let subject = firstLine.trim().replace(/\s+/g, " ");
  let body = rest.join("\n").trim();
  if (subject.length > SUBJECT_MAX) {
    const cut = subject.lastIndexOf(" ", SUBJECT_MAX - 3);
    subject = `${subject.slice(0, cut > 40 ? cut : SUBJECT_MAX - 3).trimEnd()}...`;
    body = [firstLine.trim(), body].filter(Boolean).join("\n\n");
  }
  if (body.length > 4000) body = `${body.slice(0, 4000)}\n[...]`;
  return `${subject}\n\n${body ? `${body}\n\n` : ""}${CO_AUTHOR_TRAILER}\n`;
}

/** git refuses some characters in identities; a bad name must not cost the commit. */
export function cleanIdentity(author: Author): Author {
  const clean = (value: string) => value.replace(/[<>\n\r\0]/g, "").trim();
  const name = clean(author.name) || "Nightshift user";
  const email = clean(author.email);
  return { name, email: /^[^\s@]+@[^\s@]+$/.test(email) ? email : NIGHTSHIFT_IDENTITY.email };
}

export function parseShortstat(text: string): {
  filesChanged: number;
  insertions: number;
  deletions: number;
} {
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    filesChanged: number(/(\d+) files? changed/),
    insertions: number(/(\d+) insertions?\(\+\)/),
    deletions: number(/(\d+) deletions?\(-\)/),
  };
}

export interface PublishOptions {
  git: Git;
  branch: string;
  author: Author;
  summary: string | undefined;
  promptText: string;
  /** The commit the remote branch is known to have (null: nothing pushed and nothing to compare). */
  lastPushed: string | null;
  /** The session's repository URL: the only place the branch is pushed to. */
  pushUrl: string;
  emit: Emit;
  log: Logger;
  /** Applied to the commit message: a summary may quote a secret. */
  mask: (text: string) => string;
}

export type PublishResult =
  | { kind: "unchanged" }
  | { kind: "pushed"; sha: string }
  | { kind: "failed"; stage: "commit" | "push"; message: string };

async function head(git: Git): Promise<string | null> {
  const result = await git(["rev-parse", "--verify", "--quiet", "HEAD"]);
  return result.code === 0 ? result.stdout.trim() : null;
}

/**
 * `git status --porcelain=v2 --branch`: whether the worktree has changes, and the commit HEAD is at
 * (from the `# branch.oid` header; null before the first commit), in one git run instead of two
 * for the common turn that changed nothing. Headers come before any entry, and entry paths are
 * quoted, so a file name cannot pose as a header.
 */
export function parseStatus(stdout: string): { changed: boolean; head: string | null } {
  const lines = stdout.split("\n").filter((line) => line !== "");
  const headers = lines.filter((line) => line.startsWith("# "));
  const changed = lines.length > headers.length;
  const oid = headers.find((line) => line.startsWith("# branch.oid "))?.slice("# branch.oid ".length);
  return { changed, head: oid && /^[0-9a-f]{40,64}$/.test(oid) ? oid : null };
}

export async function publishChanges(options: PublishOptions): Promise<PublishResult> {
  const { git, emit } = options;
  const fail = (stage: "commit" | "push", message: string): PublishResult => {
    emit({ type: "error", code: `git_${stage}_failed`, message });
    options.log.warn(message);
    return { kind: "failed", stage, message };
  };

  const status = await git([
    "status",
    "--porcelain=v2",
    "--branch",
    "--untracked-files=all",
    "--ignore-submodules=all",
  ]);
  if (status.code !== 0) return fail("commit", `cannot read the worktree status: ${gitErrorText(status)}`);
  const worktree = parseStatus(status.stdout);
  if (worktree.changed) {
    const add = await git(["add", "-A"]);
    if (add.code !== 0) return fail("commit", `git add failed: ${gitErrorText(add)}`);
    const author = cleanIdentity(options.author);
    const commit = await git(
      [
        "-c",
        `user.name=${NIGHTSHIFT_IDENTITY.name}`,
        "-c",
        `user.email=${NIGHTSHIFT_IDENTITY.email}`,
        "-c",
        "commit.gpgsign=false",
        "commit",
        "--no-verify",
        "--author",
        `${author.name} <${author.email}>`,
        "-F",
        "-",
      ],
      { input: options.mask(commitMessage(options.summary, options.promptText)) },
    );
    if (commit.code !== 0) return fail("commit", `git commit failed: ${gitErrorText(commit)}`);
  }

  const sha = worktree.changed ? await head(git) : worktree.head;
  if (sha === null || sha === options.lastPushed) return { kind: "unchanged" };

  const push = await git(
    ["push", "--no-verify", "--porcelain", "--", options.pushUrl, `HEAD:refs/heads/${options.branch}`],
    { credentials: true },
  );
  if (push.code !== 0) {
    return fail(
      "push",
      `pushing ${options.branch} failed: ${options.mask(gitErrorText(push))}. The commit is kept in the sandbox and the next turn pushes it again`,
    );
  }
  const stat = await git(["diff", "--shortstat", options.lastPushed ?? EMPTY_TREE, sha]);
  emit({ type: "git.push", branch: options.branch, sha, ...parseShortstat(stat.stdout) });
  return { kind: "pushed", sha };
}
