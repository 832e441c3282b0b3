/**
 * The agent owns the clone between turns and may plant anything in it. The runtime's own git
 * (status, add, commit, push) must run none of it, and the push and its credential must go to
 * the session's repository only. Real git over smart HTTP on 127.0.0.1 standing in for the
 * control plane's git proxy (`/sandbox/git/...`, Basic auth with the sandbox token), and the real
 * credential helper from the built bundle.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import { afterEach, describe, expect, inject, it } from "vitest";
import { git, seedRepo } from "../../test/git-fixtures";
import { type GitHttpServer, startGitHttpServer } from "../../test/git-http-server";
import { silentLogger } from "../log";
import {
  CREDENTIAL_REPO_ENV,
  CREDENTIAL_TOKEN_ENV,
  CREDENTIAL_URL_ENV,
  credentialHelperCommand,
  GIT_PROXY_USERNAME,
} from "./credential-helper";
import { createGit, gitEnvironment } from "./git";
import { prepareWorkspace } from "./prepare-workspace";
import { publishChanges } from "./publish-changes";

const TOKEN_CANARY = "sandbox-token-canary-7f3a";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every planted program appends "<name> token=<what it saw>" to one file. */
function plantProgram(dir: string, name: string, markers: string, passThrough = false): string {
  const path = join(dir, name);
  const log = `echo "${name} token=\${NIGHTSHIFT_CREDENTIALS_TOKEN:-none}" >> '${markers}'`;
  writeFileSync(path, `#!/bin/sh\n${log}\n${passThrough ? "cat\n" : "exit 0\n"}`);
  chmodSync(path, 0o755);
  return path;
}

const HOOKS = [
  "pre-commit",
  "prepare-commit-msg",
  "commit-msg",
  "post-commit",
  "pre-push",
  "reference-transaction",
  "post-checkout",
  "post-index-change",
  "fsmonitor-watchman",
  "pre-auto-gc",
];

/** What the agent leaves behind: hooks, fsmonitor, url rewrites, includes, helpers, filters. */
function plantEverything(workdir: string, root: string, evilUrl: string, sessionUrl: string): string {
  const markers = join(root, "planted-programs-ran.txt");
  const planted = join(root, "planted");
  const hooksDir = join(planted, "hooks");
  mkdirSync(hooksDir, { recursive: true });
  for (const hook of HOOKS) {
    plantProgram(join(workdir, ".git", "hooks"), hook, markers);
    plantProgram(hooksDir, hook, markers);
  }
  const set = (key: string, value: string) => git(workdir, "config", "--add", key, value);
  set("core.hooksPath", hooksDir);
  set("core.fsmonitor", plantProgram(planted, "fsmonitor", markers));
  set(`url.${evilUrl}.insteadOf`, sessionUrl);
  set(`url.${evilUrl}.pushInsteadOf`, sessionUrl);
  set("remote.origin.url", evilUrl);
  set("remote.origin.pushurl", evilUrl);
  set("credential.helper", plantProgram(planted, "credential-helper", markers));
  set("filter.sneaky.clean", plantProgram(planted, "clean-filter", markers, true));
  set("filter.sneaky.smudge", plantProgram(planted, "smudge-filter", markers, true));
  set("diff.external", plantProgram(planted, "diff-external", markers));
  const included = join(planted, "included.config");
  writeFileSync(
    included,
    `[credential]\n\thelper = ${plantProgram(planted, "included-helper", markers)}\n` +
      `[core]\n\tfsmonitor = ${plantProgram(planted, "included-fsmonitor", markers)}\n`,
  );
  set("include.path", included);
  writeFileSync(join(workdir, ".gitattributes"), "* filter=sneaky\n");
  // Config read from a planted worktree config and another repository's common dir.
  set("extensions.worktreeConfig", "true");
  writeFileSync(
    join(workdir, ".git", "config.worktree"),
    `[core]\n\tfsmonitor = ${plantProgram(planted, "worktree-fsmonitor", markers)}\n`,
  );
  writeFileSync(join(workdir, "feature.txt"), "the agent's work\n");
  return markers;
}

async function hostileSetup() {
  const repo = seedRepo({ "README.md": "hello\n" });
  cleanups.push(() => rmSync(repo.root, { recursive: true, force: true }));
  const served = join(repo.root, "srv");
  // Served at <plane>/sandbox/git/<name>.git, where the control plane's git proxy is.
  const proxied = join(served, "sandbox", "git");
  mkdirSync(proxied, { recursive: true });
  git(repo.root, "clone", "-q", "--bare", repo.origin, join(proxied, "session.git"));
  git(repo.root, "clone", "-q", "--bare", repo.origin, join(proxied, "evil.git"));
  const server: GitHttpServer = await startGitHttpServer(served, {
    username: GIT_PROXY_USERNAME,
    password: TOKEN_CANARY,
  });
  cleanups.push(() => server.close());
  const sessionUrl = `${server.url}/sandbox/git/session.git`;
  const evilUrl = `${server.url}/sandbox/git/evil.git`;
  const gitEnv = gitEnvironment(process.env, {
    credentials: () => ({
      [CREDENTIAL_URL_ENV]: server.url,
      [CREDENTIAL_TOKEN_ENV]: TOKEN_CANARY,
      [CREDENTIAL_REPO_ENV]: sessionUrl,
    }),
    credentialHelper: credentialHelperCommand(process.execPath, inject("plumbingBundle")),
  });
  const workdir = join(repo.root, "work");
  const events: AgentEvent[] = [];
  const prepared = await prepareWorkspace({
    repoUrl: sessionUrl,
    workdir,
    branch: "nightshift/hostile",
    gitEnv,
    emit: (event) => events.push(event),
    log: silentLogger,
  });
  expect(prepared, JSON.stringify(events)).toMatchObject({ ok: true });
  return { repo, proxied, server, sessionUrl, evilUrl, gitEnv, workdir, prepared };
}

/** The runtime's publish step on the clone, pushing to the session's repository. */
function publishFrom(
  s: Awaited<ReturnType<typeof hostileSetup>>,
  events: AgentEvent[],
  change: { summary: string; promptText: string; lastPushed: string | null },
) {
  return publishChanges({
    git: createGit(s.workdir, s.gitEnv, { repoUrl: s.sessionUrl }),
    branch: "nightshift/hostile",
    author: { name: "Ada", email: "ada@example.com" },
    ...change,
    pushUrl: s.sessionUrl,
    emit: (event) => events.push(event),
    log: silentLogger,
    mask: (text) => text,
  });
}

function branchIn(bareRepo: string, branch: string): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], {
      cwd: bareRepo,
      encoding: "utf8",
      env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
    }).trim();
  } catch {
    return null;
  }
}

describe("the runtime's git in a repository the agent made hostile", () => {
  it("runs no planted hook, fsmonitor, filter or helper, and pushes (with its credential) to the session's repository only", async () => {
    const s = await hostileSetup();
    const markers = plantEverything(s.workdir, s.repo.root, s.evilUrl, s.sessionUrl);
    s.server.requests.length = 0;

    const events: AgentEvent[] = [];
    const published = await publishFrom(s, events, {
      summary: "Add the feature",
      promptText: "add the feature",
      lastPushed: s.prepared.ok ? s.prepared.head : null,
    });

    const ran = existsSync(markers) ? readFileSync(markers, "utf8") : "";
    expect(ran, "planted programs ran").toBe("");
    expect(published, JSON.stringify(events)).toMatchObject({ kind: "pushed" });
    const sha = published.kind === "pushed" ? published.sha : "";
    expect(branchIn(join(s.proxied, "session.git"), "nightshift/hostile")).toBe(sha);
    expect(branchIn(join(s.proxied, "evil.git"), "nightshift/hostile")).toBeNull();
    // The committed file went through no filter: its content is what the agent wrote.
    expect(git(join(s.proxied, "session.git"), "show", `${sha}:feature.txt`)).toBe("the agent's work");
    expect(s.server.requests.length).toBeGreaterThan(0);
    for (const request of s.server.requests) expect(request.path).toMatch(/^\/sandbox\/git\/session\.git\//);
    // The sandbox token went with the push (git asked the runtime's helper after the 401).
    expect(s.server.requests.some((request) => request.authorized)).toBe(true);

    // A restarted runtime reuses the clone: its checkout runs no planted post-checkout hook either.
    plantEverything(s.workdir, s.repo.root, s.evilUrl, s.sessionUrl);
    const reused = await prepareWorkspace({
      repoUrl: s.sessionUrl,
      workdir: s.workdir,
      branch: "nightshift/hostile",
      gitEnv: s.gitEnv,
      emit: () => {},
      log: silentLogger,
    });
    expect(reused).toMatchObject({ ok: true, reused: true });
    expect(existsSync(markers) ? readFileSync(markers, "utf8") : "", "planted programs ran").toBe("");
  });

  it("refuses a .git that is a file pointing at another repository", async () => {
    const s = await hostileSetup();
    const elsewhere = join(s.repo.root, "elsewhere.git");
    git(s.repo.root, "init", "-q", "--bare", elsewhere);
    rmSync(join(s.workdir, ".git"), { recursive: true, force: true });
    writeFileSync(join(s.workdir, ".git"), `gitdir: ${elsewhere}\n`);
    writeFileSync(join(s.workdir, "feature.txt"), "x\n");
    const events: AgentEvent[] = [];
    const published = await publishFrom(s, events, { summary: "x", promptText: "x", lastPushed: null });
    expect(published).toMatchObject({ kind: "failed", stage: "commit" });
    expect(events[0]).toMatchObject({ type: "error", code: "git_commit_failed" });
    expect(JSON.stringify(events)).toMatch(/is not a directory/);
    expect(git(elsewhere, "for-each-ref")).toBe("");
  });
});
