/** Bundles `entry` into one ESM file for Node >= 22, and the git credential helper into git-credential.mjs beside it. */
export function bundleRuntime(entry: string, outfile: string): Promise<void>;
