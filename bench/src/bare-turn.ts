/**
 * The baseline of every per-turn overhead figure: the same `claude` invocation the runtime makes,
 * run bare against the scripted model, with nothing of Nightshift around it.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { REPO_ROOT } from "@nightshift/devstack";

export const SCRIPTED_MODEL_KEY = "sk-ant-scripted-model";

/** The CLI's own executable as installed for the runtime (not pnpm's shell wrapper), as the runtime runs it. */
export function claudeExecutable(): string {
  const require = createRequire(join(REPO_ROOT, "packages/sandbox-runtime/package.json"));
  const manifestPath = require.resolve("@anthropic-ai/claude-code/package.json");
  const bin = (JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: string | Record<string, string> })
    .bin;
  return resolve(dirname(manifestPath), typeof bin === "string" ? bin : (bin.claude ?? ""));
}

/** One "Say hello." turn of the bare CLI, in ms (asynchronous: the scripted model answers from this process). */
export async function bareTurn(claude: string, modelUrl: string): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), "bench-bare-home-"));
  const cwd = mkdtempSync(join(tmpdir(), "bench-bare-cwd-"));
  execFileSync("git", ["init", "-q"], { cwd });
  const args = ["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages"];
  args.push("--dangerously-skip-permissions", "--", "Say hello.");
  const started = performance.now();
  const child = spawn(claude, args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      IS_SANDBOX: "1",
      ANTHROPIC_BASE_URL: modelUrl,
      ANTHROPIC_API_KEY: SCRIPTED_MODEL_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_MAX_RETRIES: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output = (output + d.toString()).slice(-2000);
  });
  child.stderr.resume();
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  const elapsed = performance.now() - started;
  rmSync(home, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
  if (code !== 0) throw new Error(`bare claude failed (${code}): ${output.slice(-500)}`);
  return elapsed;
}
