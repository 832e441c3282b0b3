/**
 * The dashboard's initial JavaScript: the entry script of dist/index.html plus every chunk it
 * preloads, gzipped as a server would send it. Lazy pages and markdown are not in it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export interface BundleSize {
  files: { file: string; bytes: number; gzip: number }[];
  totalBytes: number;
  totalGzip: number;
}

export function initialBundle(distDir: string): BundleSize {
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const refs = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) refs.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) refs.add(m[1]!);
  const files = [...refs].map((ref) => {
    const body = readFileSync(join(distDir, ref.replace(/^\//, "")));
    return { file: ref, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  });
  return {
    files,
    totalBytes: files.reduce((n, f) => n + f.bytes, 0),
    totalGzip: files.reduce((n, f) => n + f.gzip, 0),
  };
}
