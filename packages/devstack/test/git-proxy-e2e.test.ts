/**
 * The real `git` CLI through the Worker's git proxy (wrangler dev) to the GitHub double: clone,
 * fetch and push of the session branch work with only the sandbox token; a push to main, another
 * branch, a tag, a deletion and a force-push are each refused with a message git prints; no
 * credential means git is challenged and fails. Sandboxes are recorded, not run.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GitProxyRig,
  type ProxySession,
  RIG_OWNER,
  RIG_REPO,
  startGitProxyRig,
} from "../src/git-proxy-rig";

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), "git-proxy-e2e-"));
const GIT_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: home,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_AUTHOR_NAME: "Agent",
  GIT_AUTHOR_EMAIL: "agent@example.invalid",
  GIT_COMMITTER_NAME: "Agent",
  GIT_COMMITTER_EMAIL: "agent@example.invalid",
};

async function git(args: string[], cwd = home): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await run("git", args, { cwd, env: GIT_ENV, timeout: 60_000 });
    return { ok: true, out: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

async function commit(dir: string, file: string, text: string): Promise<string> {
  writeFileSync(join(dir, file), text);
  await git(["add", file], dir);
  await git(["commit", "-qm", `edit ${file}`], dir);
  return (await git(["rev-parse", "HEAD"], dir)).out.trim();
}

let rig: GitProxyRig;
let sandbox: ProxySession;
let work = "";

beforeAll(async () => {
  rig = await startGitProxyRig();
  sandbox = await rig.newSession();
  work = join(home, "clone");
}, 180_000);

afterAll(async () => {
  await rig?.close();
  rmSync(home, { recursive: true, force: true });
});

const head = (branch: string) => rig.gh.branchHead(RIG_OWNER, RIG_REPO, branch);

describe("git through the proxy (real git CLI)", () => {
  it("clones the session's repository with the sandbox token", async () => {
    const clone = await git(["clone", "-q", sandbox.remote, work]);
    expect(clone.out).toBe("");
    expect(clone.ok).toBe(true);
    expect((await git(["log", "--format=%s"], work)).out).toContain("Initial commit");
  });

  it("pushes the session branch, then fast-forwards it, then fetches it back", async () => {
    const branch = sandbox.session.branch;
    const first = await commit(work, "a.txt", "one\n");
    const created = await git(["push", "origin", `HEAD:refs/heads/${branch}`], work);
    expect(created.ok, created.out).toBe(true);
    expect(await head(branch)).toBe(first);
    const second = await commit(work, "a.txt", "one\ntwo\n");
    const forward = await git(["push", "origin", `HEAD:refs/heads/${branch}`], work);
    expect(forward.ok, forward.out).toBe(true);
    expect(await head(branch)).toBe(second);
    const fetched = await git(["fetch", "origin", branch], work);
    expect(fetched.ok, fetched.out).toBe(true);
    expect((await git(["rev-parse", "FETCH_HEAD"], work)).out.trim()).toBe(second);
  });

  it("refuses a push to main with a message git prints", async () => {
    const before = await head("main");
    const res = await git(["push", "origin", "HEAD:refs/heads/main"], work);
    expect(res.ok).toBe(false);
    expect(res.out).toMatch(/\[remote rejected\] HEAD -> main \(this session may push only to nightshift\//);
    expect(res.out).toMatch(/remote: nightshift: this session may push only to/);
    expect(await head("main")).toBe(before);
  });

  it("refuses a push to another branch", async () => {
    const res = await git(["push", "origin", "HEAD:refs/heads/feature"], work);
    expect(res.out).toMatch(/\[remote rejected\] HEAD -> feature \(.*not to branch feature\)/);
    expect(await head("feature")).toBeNull();
  });

  it("refuses a tag", async () => {
    await git(["tag", "v1"], work);
    const res = await git(["push", "origin", "refs/tags/v1"], work);
    expect(res.out).toMatch(/\[remote rejected\] v1 -> v1 \(.*not to tag v1\)/);
  });

  it("refuses deleting the session branch", async () => {
    const branch = sandbox.session.branch;
    const before = await head(branch);
    const res = await git(["push", "origin", `:refs/heads/${branch}`], work);
    expect(res.out).toMatch(/\[remote rejected\] .*\(this session may not delete its branch/);
    expect(await head(branch)).toBe(before);
  });

  it("refuses a force-push to the session branch", async () => {
    const branch = sandbox.session.branch;
    const before = await head(branch);
    await git(["reset", "-q", "--hard", "HEAD~1"], work);
    await commit(work, "b.txt", "rewritten\n");
    const res = await git(["push", "--force", "origin", `HEAD:refs/heads/${branch}`], work);
    expect(res.ok).toBe(false);
    expect(res.out).toMatch(
      new RegExp(`\\[remote rejected\\] HEAD -> ${branch} \\(force-push to ${branch} refused`),
    );
    expect(await head(branch)).toBe(before);
  });

  it("without the token git is challenged and fails to authenticate", async () => {
    const bare = new URL(sandbox.remote);
    bare.username = "";
    bare.password = "";
    const res = await git(["ls-remote", bare.toString()]);
    expect(res.ok).toBe(false);
    expect(res.out).toMatch(/could not read Username|Authentication failed/);
  });
});
