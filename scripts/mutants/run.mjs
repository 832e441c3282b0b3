#!/usr/bin/env node
/**
 * `make mutants`: mutation testing for the control plane's workerd suites, which Stryker's vitest
 * runner cannot drive (they run inside workerd through @cloudflare/vitest-plugin).
 *
 * Each entry of mutations.json is one meaningful one-line defect: a file, a snippet that must occur
 * in it exactly once, its replacement, and the test files that must notice. The script copies the
 * control plane into a scratch tree (the work tree is shared and never touched), checks that the
 * unmutated tests pass, then applies one mutation at a time, runs its tests, and puts the file back.
 *
 *   node scripts/mutants/run.mjs [--only id,id] [--timeout seconds] [--no-baseline] [--check]
 *
 * Exit status: 0 when every mutation was caught; 1 when one survived, was stale or the baseline failed.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadMutations } from "./mutations.mjs";
import { createScratchTree } from "./scratch-tree.mjs";

/** Thrown to skip the mutation runs when the unmutated tests already fail. */
class BaselineFailed extends Error {}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PACKAGE = "packages/control-plane";
const REPORT_DIR = join(ROOT, "reports", "mutants");

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    timeout: { type: "string", default: "300" },
    "no-baseline": { type: "boolean", default: false },
    check: { type: "boolean", default: false },
  },
});

const timeoutMs = Number(args.timeout) * 1000;
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
  console.error(`--timeout must be a positive number of seconds, got ${args.timeout}`);
  process.exit(2);
}

const all = loadMutations(join(ROOT, "scripts", "mutants", "mutations.json"));
const wanted = args.only ? new Set(args.only.split(",").map((s) => s.trim())) : null;
if (wanted) {
  const unknown = [...wanted].filter((id) => !all.some((m) => m.id === id));
  if (unknown.length > 0) {
    console.error(`no mutation with id ${unknown.join(", ")}`);
    process.exit(2);
  }
}
const mutations = wanted ? all.filter((m) => wanted.has(m.id)) : all;

const scratch = createScratchTree(ROOT, PACKAGE);
let current = null;
/** Puts back the file under mutation (if any) and removes the scratch tree; safe to call twice. */
function cleanUp() {
  current?.restore();
  current = null;
  scratch.remove();
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`\n${signal}: restoring and removing the scratch tree`);
    activeChild?.kill();
    cleanUp();
    process.exit(130);
  });
}

let activeChild = null;
/** Runs vitest on `files` in the scratch package; resolves to "passed" | "failed" | "timeout". */
function runTests(files, logName, limitMs = timeoutMs) {
  mkdirSync(join(REPORT_DIR, "logs"), { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [scratch.vitestBin, "run", ...files], {
      cwd: scratch.packageDir,
      env: { ...process.env, PWD: scratch.packageDir, FORCE_COLOR: "0", CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group already exited
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, limitMs);
    activeChild = { kill: killGroup };
    child.on("close", (code) => {
      clearTimeout(timer);
      activeChild = null;
      writeFileSync(join(REPORT_DIR, "logs", `${logName}.log`), output);
      resolve(timedOut ? "timeout" : code === 0 ? "passed" : "failed");
    });
  });
}

const VERDICT = { failed: "killed", passed: "SURVIVED", timeout: "timeout" };
const results = [];
let exitCode = 0;
try {
  const stale = mutations.filter((m) => scratch.occurrences(m.file, m.original) !== 1);
  for (const m of stale) {
    const n = scratch.occurrences(m.file, m.original);
    console.log(`stale     ${m.id}: the snippet occurs ${n} times in ${m.file} (must be exactly once)`);
    results.push({ id: m.id, file: m.file, verdict: "stale", occurrences: n });
  }
  if (stale.length > 0) exitCode = 1;
  const runnable = mutations.filter((m) => !stale.includes(m));

  if (!args.check && runnable.length > 0 && !args["no-baseline"]) {
    const files = [...new Set(runnable.flatMap((m) => m.tests))];
    console.log(`baseline: ${files.length} test files, unmutated`);
    // Every listed file at once: allow the per-mutation limit for each pair of files.
    const baseline = await runTests(files, "baseline", timeoutMs * Math.ceil(files.length / 2));
    if (baseline !== "passed") {
      console.error(
        `baseline ${baseline}: the unmutated tests must pass first (see reports/mutants/logs/baseline.log)`,
      );
      exitCode = 1;
      throw new BaselineFailed();
    }
  }

  for (const m of args.check ? [] : runnable) {
    const started = Date.now();
    current = scratch.mutate(m.file, m.original, m.replacement);
    let outcome;
    try {
      outcome = await runTests(m.tests, m.id);
    } finally {
      current.restore();
      current = null;
    }
    const verdict = VERDICT[outcome];
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${verdict.padEnd(9)} ${m.id} (${m.file}, ${seconds} s)`);
    results.push({ id: m.id, file: m.file, verdict, seconds: Number(seconds) });
    if (verdict === "SURVIVED") exitCode = 1;
  }
} catch (error) {
  if (!(error instanceof BaselineFailed)) throw error;
} finally {
  cleanUp();
}

const count = (v) => results.filter((r) => r.verdict === v).length;
const ran = results.filter((r) => r.verdict !== "stale").length;
const caught = count("killed") + count("timeout");
if (!args.check) {
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(
    join(REPORT_DIR, "report.json"),
    `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`,
  );
  console.log(
    `\n${caught}/${ran} mutations caught (killed ${count("killed")}, timeout ${count("timeout")}, ` +
      `SURVIVED ${count("SURVIVED")}, stale ${count("stale")}); logs in reports/mutants/logs/`,
  );
} else {
  console.log(`${mutations.length - count("stale")}/${mutations.length} mutations apply exactly once`);
}
process.exit(exitCode);
