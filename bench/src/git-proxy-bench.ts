/**
 * `pnpm run bench git-proxy`: the real git CLI cloning and pushing a 50 MB repository through the
 * Worker's git proxy (wrangler dev) vs straight to the GitHub double, interleaved in the same run.
 * The data is random (incompressible), so the bytes on the wire are the repository's size. Three
 * operations: clone; push creating a branch (streamed, no pack walk); push fast-forwarding it
 * with another 50 MB commit (the pack is walked until the fast-forward is proven).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startGitProxyRig } from "@nightshift/devstack";
import { ms, summarize } from "./stats";

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_GIT_ROUNDS ?? 3);
const SIZE_MB = Number(process.env.BENCH_GIT_MB ?? 50);

type Op = "clone" | "pushCreate" | "pushForward";
type Path = "direct" | "proxy";

export interface GitProxyBenchResult {
  sizeMb: number;
  rounds: number;
  ms: Record<Op, Record<Path, ReturnType<typeof summarize>>>;
  /** proxy p50 / direct p50 per operation (target ≤ 1.3). */
  ratio: Record<Op, number>;
  /** Operations that failed (not timed), with git's last words. */
  failures: string[];
}

export async function runGitProxyBench(
  log: (line: string) => void = console.log,
): Promise<GitProxyBenchResult> {
  const home = mkdtempSync(join(tmpdir(), "git-proxy-bench-"));
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Bench",
    GIT_AUTHOR_EMAIL: "bench@example.invalid",
    GIT_COMMITTER_NAME: "Bench",
    GIT_COMMITTER_EMAIL: "bench@example.invalid",
    // Random data has no deltas to find; skipping the search keeps the client's share of the time
    // small, so the ratio shows the proxy's overhead rather than pack-objects' CPU.
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "core.bigFileThreshold",
    GIT_CONFIG_VALUE_0: "512k",
  };
  const git = async (args: string[], cwd = home) => {
    await run("git", args, { cwd, env, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
  };
  let counter = 0;
  /** Adds SIZE_MB of fresh random files in 1 MB pieces and commits them. */
  const commitRandom = async (dir: string) => {
    const sub = join(dir, `data-${counter++}`);
    mkdirSync(sub, { recursive: true });
    for (let i = 0; i < SIZE_MB; i++) writeFileSync(join(sub, `${i}.bin`), randomBytes(1024 * 1024));
    await git(["add", "-A"], dir);
    await git(["commit", "-qm", `${SIZE_MB} MB of data`], dir);
  };
  const freshRepo = async () => {
    const dir = join(home, `repo-${counter++}`);
    await git(["init", "-q", "--initial-branch=work", dir]);
    await commitRandom(dir);
    return dir;
  };
  const failures: string[] = [];
  /** Times one git operation; a failure is counted and reported, not timed. */
  const timed = async (label: string, samplesOf: number[], work: () => Promise<void>) => {
    const started = performance.now();
    try {
      await work();
      samplesOf.push(performance.now() - started);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? String(err);
      failures.push(`${label}: ${stderr.split("\n").filter(Boolean).slice(-2).join(" / ")}`);
      log(`  ${label} failed: ${failures.at(-1)}`);
    }
  };

  log(`git-proxy: seeding a ${SIZE_MB} MB repository in the double...`);
  const rig = await startGitProxyRig();
  const samples: Record<Op, Record<Path, number[]>> = {
    clone: { direct: [], proxy: [] },
    pushCreate: { direct: [], proxy: [] },
    pushForward: { direct: [], proxy: [] },
  };
  try {
    const seed = await freshRepo();
    await git(["push", "-q", await rig.directRemote(), "HEAD:refs/heads/main", "--force"], seed);

    for (let round = 0; round < ROUNDS; round++) {
      const session = await rig.newSession();
      const direct = await rig.directRemote();
      const remotes: Record<Path, { url: string; branch: string }> = {
        direct: { url: direct, branch: `bench/direct-${round}` },
        proxy: { url: session.remote, branch: session.session.branch },
      };
      // Alternate which path goes first, so neither always gets the warm cache.
      const order: Path[] = round % 2 === 0 ? ["direct", "proxy"] : ["proxy", "direct"];
      for (const path of order) {
        const target = join(home, `clone-${path}-${round}`);
        await timed(`clone ${path}`, samples.clone[path], () =>
          git(["clone", "-q", remotes[path].url, target]),
        );
        rmSync(target, { recursive: true, force: true });
      }
      const repos = { direct: await freshRepo(), proxy: await freshRepo() };
      for (const path of order) {
        const { url, branch } = remotes[path];
        await timed(`push-create ${path}`, samples.pushCreate[path], () =>
          git(["push", "-q", url, `HEAD:refs/heads/${branch}`], repos[path]),
        );
      }
      for (const path of order) await commitRandom(repos[path]);
      for (const path of order) {
        const { url, branch } = remotes[path];
        await timed(`push-forward ${path}`, samples.pushForward[path], () =>
          git(["push", "-q", url, `HEAD:refs/heads/${branch}`], repos[path]),
        );
      }
      for (const dir of Object.values(repos)) rmSync(dir, { recursive: true, force: true });
      log(`  round ${round + 1}/${ROUNDS} done`);
    }
  } finally {
    await rig.close();
    rmSync(home, { recursive: true, force: true });
  }

  const result = { sizeMb: SIZE_MB, rounds: ROUNDS, ms: {}, ratio: {}, failures } as GitProxyBenchResult;
  for (const op of Object.keys(samples) as Op[]) {
    const direct = summarize(samples[op].direct);
    const proxy = summarize(samples[op].proxy);
    result.ms[op] = { direct, proxy };
    result.ratio[op] = proxy.p50 / direct.p50;
    log(
      `  ${op.padEnd(12)} direct p50 ${ms(direct.p50).padStart(10)}  proxy p50 ${ms(proxy.p50).padStart(10)}  ` +
        `ratio ${result.ratio[op].toFixed(2)}x (target ≤ 1.3x)`,
    );
  }
  return result;
}
