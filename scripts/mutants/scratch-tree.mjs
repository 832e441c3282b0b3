/**
 * A throw-away copy of one package for mutating: its src/ and test/ and config files are copied,
 * everything else (node_modules, the other packages, migrations) is linked, so relative imports
 * such as ../../testkit and ../../wrangler.toml resolve as in the real tree. Engineers and CI keep
 * working in the real tree while mutants run; nothing there is ever rewritten.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Entries of the repository root and of the package that are linked, never copied. */
const NEVER_COPIED = new Set(["node_modules", ".git", ".tools", ".turbo", ".wrangler", "reports", "dist"]);

export function createScratchTree(root, packagePath) {
  // vitest's package exports hide its bin; the package's own node_modules link is where pnpm put it.
  const vitestBin = join(root, packagePath, "node_modules", "vitest", "vitest.mjs");
  if (!existsSync(vitestBin)) throw new Error(`${vitestBin} is missing; run make deps`);
  const dir = mkdtempSync(join(tmpdir(), "nightshift-mutants-"));
  try {
    linkAndCopy(root, dir, packagePath);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const packageDir = join(dir, packagePath);
  const pathOf = (file) => join(packageDir, file);
  return {
    packageDir,
    vitestBin,
    occurrences(file, snippet) {
      if (!existsSync(pathOf(file))) return 0;
      const text = readFileSync(pathOf(file), "utf8");
      return text.split(snippet).length - 1;
    },
    /** Applies one mutation; the returned restore() puts the original text back. */
    mutate(file, original, replacement) {
      const text = readFileSync(pathOf(file), "utf8");
      writeFileSync(
        pathOf(file),
        text.replace(original, () => replacement),
      );
      return { restore: () => writeFileSync(pathOf(file), text) };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Links every entry of the repository except the package, which is copied (less its node_modules and output). */
function linkAndCopy(root, dir, packagePath) {
  const [packagesDir, packageName] = packagePath.split("/");
  const packageDir = join(dir, packagePath);
  mkdirSync(packageDir, { recursive: true });
  for (const entry of readdirSync(root)) {
    if (entry === packagesDir || entry === ".git") continue;
    symlinkSync(join(root, entry), join(dir, entry));
  }
  for (const entry of readdirSync(join(root, packagesDir))) {
    if (entry === packageName) continue;
    symlinkSync(join(root, packagesDir, entry), join(dir, packagesDir, entry));
  }
  for (const entry of readdirSync(join(root, packagePath))) {
    const from = join(root, packagePath, entry);
    if (NEVER_COPIED.has(entry)) symlinkSync(from, join(packageDir, entry));
    else cpSync(from, join(packageDir, entry), { recursive: true });
  }
}
