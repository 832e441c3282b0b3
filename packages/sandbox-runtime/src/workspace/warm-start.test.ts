/**
 * Warm starts with real git and real hooks: a prebuild marks its workspace; a copy of that
 * workspace (as a provider's snapshot would seed it) starts warm without cloning, checks out the
 * session branch from the newest base, and reruns the setup hook only when its inputs changed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { git, seedRepo } from "../../test/git-fixtures";
import { silentLogger } from "../log";
import { gitEnvironment } from "./git";
import { isSetupInput, WARM_MARKER, type WorkspaceStart, workspaceSteps } from "./warm-start";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

// Counts its runs in the workdir and "installs" a dependency, as a real setup hook would.
const SETUP = "echo run >> .setup-runs\nmkdir -p deps && echo installed > deps/lib.txt\n";

function repository() {
  const repo = seedRepo({
    "README.md": "hello\n",
    "package.json": '{"name":"demo"}\n',
    ".nightshift/setup.sh": SETUP,
  });
  roots.push(repo.root);
  return repo;
}

/** A new commit on origin's main (through the seed worktree seedRepo made). */
function pushCommit(root: string, path: string, text: string): string {
  const seed = join(root, "seed");
  writeFileSync(join(seed, path), text);
  git(seed, "add", "-A");
  git(
    seed,
    "-c",
    "user.name=Seed",
    "-c",
    "user.email=seed@example.com",
    "commit",
    "-q",
    "-m",
    `edit ${path}`,
  );
  git(seed, "push", "-q", join(root, "origin.git"), "main");
  return git(seed, "rev-parse", "HEAD");
}

async function run(
  origin: string,
  workdir: string,
  options: { prebuild: boolean; branch: string; stateDir: string },
) {
  mkdirSync(options.stateDir, { recursive: true });
  const events: AgentEvent[] = [];
  const prepared: Array<{ start: WorkspaceStart; head: string | null }> = [];
  const steps = workspaceSteps({
    repoUrl: origin,
    workdir,
    branch: options.branch,
    gitEnv: gitEnvironment(process.env),
    emit: (event) => events.push(event),
    log: silentLogger,
    stateDir: options.stateDir,
    prebuild: options.prebuild,
    hooks: { timeoutMs: 20_000, env: { PATH: process.env.PATH ?? "" } },
    onPrepared: (start, head) => prepared.push({ start, head }),
  });
  const workspace = await steps.prepare();
  const hooks = workspace.ok ? await steps.runHooks() : false;
  const logs = events.flatMap((e) => (e.type === "log" ? [e.text] : []));
  return { workspace, hooks, events, logs, prepared };
}

/** A prebuild in <root>/prebuild, then a copy of its workdir (the snapshot) at <root>/<name>. */
async function prebuildAndCopy(repo: { root: string; origin: string }, name = "warm") {
  const built = await run(repo.origin, join(repo.root, "prebuild", "work"), {
    prebuild: true,
    branch: "nightshift/prebuild-1",
    stateDir: join(repo.root, "prebuild", "state"),
  });
  const target = join(repo.root, name, "work");
  mkdirSync(target, { recursive: true });
  execFileSync("cp", ["-a", `${join(repo.root, "prebuild", "work")}/.`, target]);
  return { built, workdir: target, stateDir: join(repo.root, name, "state") };
}

const runsOf = (workdir: string) =>
  readFileSync(join(workdir, ".setup-runs"), "utf8").trim().split("\n").length;

describe("prebuild", () => {
  it("clones the default branch, runs setup, marks the commit and leaves no prebuild branch", async () => {
    const repo = repository();
    const { built } = await prebuildAndCopy(repo);
    const workdir = join(repo.root, "prebuild", "work");
    expect(built.hooks).toBe(true);
    const head = git(workdir, "rev-parse", "HEAD");
    expect(built.prepared).toEqual([{ start: "prebuild", head }]);
    const marker = JSON.parse(readFileSync(join(workdir, ".git", WARM_MARKER), "utf8"));
    expect(marker).toMatchObject({ commit: head, baseBranch: "main" });
    expect(readFileSync(join(workdir, "deps", "lib.txt"), "utf8")).toBe("installed\n");
    expect(git(workdir, "branch", "--list")).not.toContain("nightshift/prebuild-1");
  });

  it("a prebuild whose setup hook fails leaves no marker (and reports failure)", async () => {
    const repo = seedRepo({ "README.md": "x\n", ".nightshift/setup.sh": "exit 3\n" });
    roots.push(repo.root);
    const built = await run(repo.origin, join(repo.root, "p", "work"), {
      prebuild: true,
      branch: "nightshift/prebuild-2",
      stateDir: join(repo.root, "p", "state"),
    });
    expect(built.hooks).toBe(false);
    expect(existsSync(join(repo.root, "p", "work", ".git", WARM_MARKER))).toBe(false);
  });
});

describe("warm start from a prebuilt workspace", () => {
  it("does not clone, checks out the session branch, and skips setup when its inputs did not change", async () => {
    const repo = repository();
    const { workdir, stateDir } = await prebuildAndCopy(repo);
    const newer = pushCommit(repo.root, "README.md", "hello again\n");
    const warm = await run(repo.origin, workdir, { prebuild: false, branch: "nightshift/s-1", stateDir });
    expect(warm.hooks).toBe(true);
    expect(warm.logs.some((text) => /^cloning /.test(text))).toBe(false);
    expect(warm.logs.join("")).toMatch(/warm start: the workspace was prebuilt at [0-9a-f]{12}; fetched/);
    expect(warm.logs.join("")).toMatch(/inputs did not change since the prebuild/);
    expect(git(workdir, "rev-parse", "--abbrev-ref", "HEAD")).toBe("nightshift/s-1");
    expect(git(workdir, "rev-parse", "HEAD")).toBe(newer);
    expect(readFileSync(join(workdir, "README.md"), "utf8")).toBe("hello again\n");
    expect(runsOf(workdir)).toBe(1);
    expect(warm.prepared).toEqual([{ start: "warm", head: newer }]);
  });

  it("runs the setup hook again when a dependency manifest changed since the prebuild", async () => {
    const repo = repository();
    const { workdir, stateDir } = await prebuildAndCopy(repo);
    pushCommit(repo.root, "package.json", '{"name":"demo","dependencies":{"left-pad":"1"}}\n');
    const warm = await run(repo.origin, workdir, { prebuild: false, branch: "nightshift/s-2", stateDir });
    expect(warm.hooks).toBe(true);
    expect(warm.logs.join("")).toMatch(/inputs changed since the prebuild \(package\.json\)/);
    expect(runsOf(workdir)).toBe(2);
  });

  it("a second start in the same sandbox reuses its checkout instead of taking the warm path again", async () => {
    const repo = repository();
    const { workdir, stateDir } = await prebuildAndCopy(repo);
    await run(repo.origin, workdir, { prebuild: false, branch: "nightshift/s-3", stateDir });
    const again = await run(repo.origin, workdir, { prebuild: false, branch: "nightshift/s-3", stateDir });
    expect(again.prepared[0]?.start).toBe("cold");
    expect(again.logs.join("")).toMatch(/reusing the existing checkout/);
  });

  it("falls back to a clean clone when the warm checkout fails", async () => {
    const repo = repository();
    const { workdir, stateDir } = await prebuildAndCopy(repo);
    // A marker naming a base branch the repository does not have: the warm checkout cannot work.
    const markerPath = join(workdir, ".git", WARM_MARKER);
    const marker = JSON.parse(readFileSync(markerPath, "utf8"));
    writeFileSync(markerPath, JSON.stringify({ ...marker, baseBranch: "gone" }));
    const started = await run(repo.origin, workdir, { prebuild: false, branch: "nightshift/s-4", stateDir });
    expect(started.hooks).toBe(true);
    expect(started.logs.join("")).toMatch(/warm start failed .*; cloning instead/);
    expect(started.logs.some((text) => /^cloning /.test(text))).toBe(true);
    expect(started.prepared[0]?.start).toBe("cold");
    expect(git(workdir, "rev-parse", "--abbrev-ref", "HEAD")).toBe("nightshift/s-4");
  });
});

describe("isSetupInput", () => {
  it("counts the .nightshift directory and dependency manifests anywhere, nothing else", () => {
    expect(isSetupInput(".nightshift/setup.sh")).toBe(true);
    expect(isSetupInput("packages/web/package.json")).toBe(true);
    expect(isSetupInput("pnpm-lock.yaml")).toBe(true);
    expect(isSetupInput("src/index.ts")).toBe(false);
    expect(isSetupInput("docs/package.json.md")).toBe(false);
  });
});
