/** Bundles `entry` and everything it imports into one ESM file for Node >= 22. */
export function bundleRuntime(entry: string, outfile: string): Promise<void>;
