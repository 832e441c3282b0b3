import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { git, seedRepo } from "../../test/git-fixtures";
import { silentLogger } from "../log";
import { createGit, gitEnvironment } from "./git";
import { classifyRepoUrl, displayRepoUrl, prepareWorkspace } from "./prepare-workspace";
import {
  CO_AUTHOR_TRAILER,
  commitMessage,
  parseShortstat,
  parseStatus,
  publishChanges,
} from "./publish-changes";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const env = gitEnvironment(process.env);

async function cloned(baseBranch?: string, branch = "nightshift/task") {
  const repo = seedRepo({ "README.md": "hello\n", "src/app.txt": "one\ntwo\n" });
  roots.push(repo.root);
  const events: AgentEvent[] = [];
  const workdir = join(repo.root, "work");
  const result = await prepareWorkspace({
    repoUrl: repo.origin,
    workdir,
    branch,
    baseBranch,
    gitEnv: env,
    emit: (event) => events.push(event),
    log: silentLogger,
  });
  return { repo, workdir, events, result };
}

describe("classifyRepoUrl / displayRepoUrl", () => {
  it("tells local paths from remote URLs and refuses other schemes", () => {
    expect(classifyRepoUrl("/srv/repo")).toEqual({ kind: "local", path: "/srv/repo" });
    expect(classifyRepoUrl("file:///srv/my%20repo")).toEqual({ kind: "local", path: "/srv/my repo" });
    expect(classifyRepoUrl("https://github.com/o/r.git").kind).toBe("remote");
    expect(classifyRepoUrl("git@github.com:o/r.git").kind).toBe("invalid");
    expect(classifyRepoUrl("ssh://git@github.com/o/r.git").kind).toBe("invalid");
    expect(displayRepoUrl("https://x-access-token:ghs_secret@github.com/o/r.git")).toBe(
      "https://github.com/o/r.git",
    );
  });
});

describe("prepareWorkspace", () => {
  it("clones a local repository, streams progress and creates the session branch", async () => {
    const { workdir, events, result } = await cloned();
    expect(result).toMatchObject({ ok: true, reused: false });
    expect(git(workdir, "rev-parse", "--abbrev-ref", "HEAD")).toBe("nightshift/task");
    expect(readFileSync(join(workdir, "README.md"), "utf8")).toBe("hello\n");
    const logs = events.filter((e) => e.type === "log").map((e) => (e.type === "log" ? e.text : ""));
    expect(logs[0]).toMatch(/^cloning /);
    expect(logs.at(-1)).toMatch(/^cloned .* in \d+\.\d s/);
    expect(events.some((e) => e.type === "error")).toBe(false);
  });

  it("continues a branch that already exists on the remote", async () => {
    const repo = seedRepo();
    roots.push(repo.root);
    git(repo.origin, "branch", "nightshift/follow-up", "main");
    const workdir = join(repo.root, "work");
    const result = await prepareWorkspace({
      repoUrl: repo.origin,
      workdir,
      branch: "nightshift/follow-up",
      gitEnv: env,
      emit: () => {},
      log: silentLogger,
    });
    expect(result.ok).toBe(true);
    expect(git(workdir, "rev-parse", "HEAD")).toBe(git(repo.origin, "rev-parse", "nightshift/follow-up"));
  });

  it("reuses an existing checkout when the runtime restarts", async () => {
    const { repo, workdir } = await cloned();
    writeFileSync(join(workdir, "wip.txt"), "keep me\n");
    const events: AgentEvent[] = [];
    const again = await prepareWorkspace({
      repoUrl: repo.origin,
      workdir,
      branch: "nightshift/task",
      gitEnv: env,
      emit: (event) => events.push(event),
      log: silentLogger,
    });
    expect(again).toMatchObject({ ok: true, reused: true });
    expect(existsSync(join(workdir, "wip.txt"))).toBe(true);
  });

  it("a checkout restored from a snapshot takes the pushed branch when it moved on, keeping the setup's untracked files", async () => {
    const { repo, workdir } = await cloned();
    // The setup hook's output, kept by the snapshot (untracked, as node_modules would be).
    writeFileSync(join(workdir, "setup-output.txt"), "built\n");
    // Someone pushed to the session branch after the snapshot was taken (the branch is the truth).
    const other = join(repo.root, "other");
    git(repo.root, "clone", "-q", repo.origin, other);
    git(other, "checkout", "-q", "-b", "nightshift/task");
    writeFileSync(join(other, "pushed.txt"), "from the branch\n");
    git(other, "add", "-A");
    git(
      other,
      "-c",
      "user.name=Dev",
      "-c",
      "user.email=dev@example.com",
      "commit",
      "-q",
      "-m",
      "pushed later",
    );
    git(other, "push", "-q", "origin", "nightshift/task");
    const again = await prepareWorkspace({
      repoUrl: repo.origin,
      workdir,
      branch: "nightshift/task",
      gitEnv: env,
      emit: () => {},
      log: silentLogger,
    });
    expect(again).toMatchObject({ ok: true, reused: true });
    expect(git(workdir, "rev-parse", "--abbrev-ref", "HEAD")).toBe("nightshift/task");
    expect(git(workdir, "rev-parse", "HEAD")).toBe(git(repo.origin, "rev-parse", "nightshift/task"));
    expect(readFileSync(join(workdir, "pushed.txt"), "utf8")).toBe("from the branch\n");
    expect(existsSync(join(workdir, "setup-output.txt"))).toBe(true);
  });

  it("fails with an error event that says what is wrong", async () => {
    const missingBase = await cloned("no-such-branch");
    expect(missingBase.result.ok).toBe(false);
    const error = missingBase.events.find((e) => e.type === "error");
    expect(error).toMatchObject({ code: "workspace_failed" });
    expect(error?.type === "error" && error.message).toMatch(/base branch no-such-branch does not exist/);

    const badBranch = await cloned(undefined, "bad..branch");
    expect(badBranch.result.ok).toBe(false);
    expect(badBranch.events.find((e) => e.type === "error")).toMatchObject({
      message: expect.stringMatching(/not a valid git branch name/),
    });

    const events: AgentEvent[] = [];
    const missing = await prepareWorkspace({
      repoUrl: "/nonexistent/repo",
      workdir: "/nonexistent/work",
      branch: "b",
      gitEnv: env,
      emit: (event) => events.push(event),
      log: silentLogger,
    });
    expect(missing.ok).toBe(false);
    expect(events[0]).toMatchObject({
      type: "error",
      message: expect.stringMatching(/does not exist inside the sandbox/),
    });
  });
});

describe("commitMessage", () => {
  it("keeps the subject within 72 characters and ends with the co-author trailer", () => {
    const long = "Refactor the payment reconciliation job so that it retries transient failures with backoff";
    const message = commitMessage(`${long}\n\nDetails here.`, "prompt");
    const [subject, blank] = message.split("\n");
    expect(subject!.length).toBeLessThanOrEqual(72);
    expect(subject).toMatch(/\.\.\.$/);
    expect(blank).toBe("");
    expect(message).toContain(long);
    expect(message).toContain("Details here.");
    expect(message.trimEnd().endsWith(CO_AUTHOR_TRAILER)).toBe(true);
  });

  it("falls back to the prompt when there is no summary", () => {
    expect(commitMessage(undefined, "Fix the flaky test\nin CI").split("\n")[0]).toBe("Fix the flaky test");
    expect(commitMessage("  ", "").split("\n")[0]).toBe("Changes by Nightshift");
  });
});

describe("parseShortstat", () => {
  it("reads git's summary line, singular or plural, with parts missing", () => {
    expect(parseShortstat(" 3 files changed, 10 insertions(+), 2 deletions(-)\n")).toEqual({
      filesChanged: 3,
      insertions: 10,
      deletions: 2,
    });
    expect(parseShortstat(" 1 file changed, 1 deletion(-)")).toEqual({
      filesChanged: 1,
      insertions: 0,
      deletions: 1,
    });
    expect(parseShortstat("")).toEqual({ filesChanged: 0, insertions: 0, deletions: 0 });
  });
});

describe("parseStatus", () => {
  const oid = "a".repeat(40);
  it("reads HEAD from the branch.oid header and changes from the entries", () => {
    expect(parseStatus(`# branch.oid ${oid}\n# branch.head main\n`)).toEqual({ changed: false, head: oid });
    expect(parseStatus("# branch.oid (initial)\n# branch.head main\n")).toEqual({
      changed: false,
      head: null,
    });
    expect(
      parseStatus(`# branch.oid ${oid}\n1 .M N... 100644 100644 100644 x y src/app.txt\n? new.txt\n`),
    ).toEqual({ changed: true, head: oid });
  });

  it("a file named like a header is an entry, not a second HEAD", () => {
    const planted = `# branch.oid ${oid}\n? # branch.oid ${"b".repeat(40)}\n`;
    expect(parseStatus(planted)).toEqual({ changed: true, head: oid });
  });
});

describe("publishChanges", () => {
  it("commits as the prompting user with the trailer, pushes the branch and reports the stats", async () => {
    const { repo, workdir, result } = await cloned();
    expect(result.ok).toBe(true);
    const base = result.ok ? result.head : null;
    writeFileSync(join(workdir, "src/app.txt"), "one\nTWO\nthree\n");
    writeFileSync(join(workdir, "new.txt"), "new file\n");
    const events: AgentEvent[] = [];
    const published = await publishChanges({
      git: createGit(workdir, env, { repoUrl: repo.origin }),
      pushUrl: repo.origin,
      branch: "nightshift/task",
      author: { name: "Ada Lovelace", email: "ada@example.com" },
      summary: "Update app.txt and add new.txt\n\nThe secret is sk-XYZ.",
      promptText: "please update",
      lastPushed: base,
      emit: (event) => events.push(event),
      log: silentLogger,
      mask: (text) => text.replaceAll("sk-XYZ", "***"),
    });
    expect(published.kind).toBe("pushed");
    const sha = published.kind === "pushed" ? published.sha : "";
    expect(git(repo.origin, "rev-parse", "nightshift/task")).toBe(sha);
    expect(git(repo.origin, "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha)).toBe(
      "Ada Lovelace <ada@example.com>|Nightshift <nightshift@users.noreply.github.com>",
    );
    const body = git(repo.origin, "log", "-1", "--format=%B", sha);
    expect(body.split("\n")[0]).toBe("Update app.txt and add new.txt");
    expect(body).toContain(CO_AUTHOR_TRAILER);
    expect(body).toContain("The secret is ***.");
    expect(body).not.toContain("sk-XYZ");
    expect(events).toEqual([
      { type: "git.push", branch: "nightshift/task", sha, filesChanged: 2, insertions: 3, deletions: 1 },
    ]);
  });

  it("does nothing when nothing changed", async () => {
    const { repo, workdir, result } = await cloned();
    const events: AgentEvent[] = [];
    const published = await publishChanges({
      git: createGit(workdir, env, { repoUrl: repo.origin }),
      pushUrl: repo.origin,
      branch: "nightshift/task",
      author: { name: "Ada", email: "ada@example.com" },
      summary: "nothing",
      promptText: "look around",
      lastPushed: result.ok ? result.head : null,
      emit: (event) => events.push(event),
      log: silentLogger,
      mask: (text) => text,
    });
    expect(published).toEqual({ kind: "unchanged" });
    expect(events).toEqual([]);
  });

  it("a turn that changed nothing costs one git command: the status also says where HEAD is", async () => {
    const { repo, workdir, result } = await cloned();
    const real = createGit(workdir, env, { repoUrl: repo.origin });
    const commands: string[] = [];
    const published = await publishChanges({
      git: (args, options) => {
        commands.push(args[0] ?? "");
        return real(args, options);
      },
      pushUrl: repo.origin,
      branch: "nightshift/task",
      author: { name: "Ada", email: "ada@example.com" },
      summary: "nothing",
      promptText: "look around",
      lastPushed: result.ok ? result.head : null,
      emit: () => {},
      log: silentLogger,
      mask: (text) => text,
    });
    expect(published).toEqual({ kind: "unchanged" });
    expect(commands).toEqual(["status"]);
  });

  it("pushes a commit the agent made itself, though the worktree is clean", async () => {
    const { repo, workdir, result } = await cloned();
    writeFileSync(join(workdir, "agent.txt"), "committed by the agent\n");
    git(workdir, "add", "agent.txt");
    git(
      workdir,
      "-c",
      "user.name=Agent",
      "-c",
      "user.email=agent@example.com",
      "commit",
      "-qm",
      "agent commit",
    );
    const sha = git(workdir, "rev-parse", "HEAD");
    const events: AgentEvent[] = [];
    const published = await publishChanges({
      git: createGit(workdir, env, { repoUrl: repo.origin }),
      pushUrl: repo.origin,
      branch: "nightshift/task",
      author: { name: "Ada", email: "ada@example.com" },
      summary: "agent committed",
      promptText: "commit it yourself",
      lastPushed: result.ok ? result.head : null,
      emit: (event) => events.push(event),
      log: silentLogger,
      mask: (text) => text,
    });
    expect(published).toEqual({ kind: "pushed", sha });
    expect(git(repo.origin, "rev-parse", "nightshift/task")).toBe(sha);
    expect(events).toMatchObject([{ type: "git.push", sha, filesChanged: 1 }]);
  });

  it("reports a failed push as an error event and pushes the kept commit next time", async () => {
    const { repo, workdir, result } = await cloned();
    const base = result.ok ? result.head : null;
    // Reject every push with a hook in the bare remote.
    const hook = join(repo.origin, "hooks", "pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'remote says no' >&2\nexit 1\n", { mode: 0o755 });
    writeFileSync(join(workdir, "a.txt"), "a\n");
    const events: AgentEvent[] = [];
    const options = {
      git: createGit(workdir, env, { repoUrl: repo.origin }),
      pushUrl: repo.origin,
      branch: "nightshift/task",
      author: { name: "Ada", email: "not an email" },
      summary: "Add a",
      promptText: "add a",
      lastPushed: base,
      emit: (event: AgentEvent) => events.push(event),
      log: silentLogger,
      mask: (text: string) => text,
    };
    const failed = await publishChanges(options);
    expect(failed).toMatchObject({ kind: "failed", stage: "push" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "error", code: "git_push_failed" });
    expect(events[0]!.type === "error" && events[0]!.message).toMatch(/remote says no/);
    // The bad email fell back to Nightshift's address; the commit exists locally.
    expect(git(workdir, "log", "-1", "--format=%ae")).toBe("nightshift@users.noreply.github.com");

    rmSync(hook);
    const retried = await publishChanges(options);
    expect(retried.kind).toBe("pushed");
    expect(events.at(-1)).toMatchObject({ type: "git.push", filesChanged: 1, insertions: 1, deletions: 0 });
  });
});
