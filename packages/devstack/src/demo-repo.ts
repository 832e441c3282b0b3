/** Creates a small local git repository for demos and end-to-end tests. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A repository at `root/name` with one commit on `main`; returns its path. */
export function createDemoRepo(root: string, name = "demo"): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  git(dir, ["init", "-q", "-b", "main"]);
  writeFileSync(join(dir, "README.md"), "# Demo\n\nA small repository Nightshift's agents work on.\n");
  writeFileSync(join(dir, "hello.js"), 'console.log("hello from the demo repository");\n');
  git(dir, ["add", "-A"]);
  git(dir, [
    "-c",
    "user.name=Nightshift Demo",
    "-c",
    "user.email=demo@nightshift.invalid",
    "commit",
    "-q",
    "-m",
    "Initial commit",
  ]);
  // Pushes land on a branch of a non-bare repository: allow them, never touching the checked-out branch.
  git(dir, ["config", "receive.denyCurrentBranch", "refuse"]);
  return dir;
}
