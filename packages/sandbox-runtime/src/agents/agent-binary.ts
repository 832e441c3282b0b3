/**
 * Finding an agent CLI's executable. In order: the override directory
 * (NIGHTSHIFT_AGENT_BIN_DIR), the `bin` of the CLI's npm package as installed for the runtime
 * (so `claude` is the exact version the runtime depends on, whatever PATH says), a
 * `node_modules/.bin` found walking up from the runtime's own files (source or bundle), then PATH.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { AgentBinary } from "./adapter";

export interface BinarySearch {
  /** Looked in first (NIGHTSHIFT_AGENT_BIN_DIR). */
  overrideDir?: string;
  /** Where npm packages and node_modules/.bin are resolved from: a file of the runtime. */
  fromUrl: string;
  /** The PATH to fall back to. */
  path?: string;
  /** Skip the npm-package and node_modules lookups (tests of the PATH fallback). */
  skipPackages?: boolean;
}

const PackageBin = z.object({ bin: z.union([z.string(), z.record(z.string(), z.string())]).optional() });

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromPackage(binary: AgentBinary, fromUrl: string): string | undefined {
  if (!binary.npmPackage) return undefined;
  try {
    const manifestPath = createRequire(fromUrl).resolve(`${binary.npmPackage}/package.json`);
    const manifest = PackageBin.safeParse(JSON.parse(readFileSync(manifestPath, "utf8")));
    if (!manifest.success) return undefined;
    const bin = manifest.data.bin;
    const relative = typeof bin === "string" ? bin : bin?.[binary.name];
    return relative ? resolve(dirname(manifestPath), relative) : undefined;
  } catch {
    return undefined;
  }
}

function fromNodeModules(name: string, fromUrl: string): string | undefined {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const candidate = join(dir, "node_modules", ".bin", name);
    if (isExecutable(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function fromPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The absolute path of the CLI's executable, or undefined when it is nowhere to be found. */
export function resolveAgentBinary(binary: AgentBinary, search: BinarySearch): string | undefined {
  if (search.overrideDir) {
    const candidate = join(search.overrideDir, binary.name);
    if (isExecutable(candidate)) return candidate;
  }
  if (!search.skipPackages) {
    const packaged = fromPackage(binary, search.fromUrl);
    if (packaged && isExecutable(packaged)) return packaged;
    const linked = fromNodeModules(binary.name, search.fromUrl);
    if (linked) return linked;
  }
  return fromPath(binary.name, search.path);
}

/** Where the search looked, for the "not found" message. */
export function describeSearch(binary: AgentBinary, search: BinarySearch): string {
  const places = [
    search.overrideDir ? `NIGHTSHIFT_AGENT_BIN_DIR (${search.overrideDir})` : undefined,
    search.skipPackages
      ? undefined
      : binary.npmPackage
        ? `the runtime's ${binary.npmPackage} package`
        : undefined,
    search.skipPackages ? undefined : "node_modules/.bin",
    "PATH",
  ];
  return places.filter(Boolean).join(", ");
}
