/**
 * Writing a CLI's config into its private HOME before a turn, safely: the agent can write to HOME
 * and these writes run in the runtime, outside the inner sandbox, so a symlink planted on the way
 * (to the runtime's state, say) is removed, never followed.
 */
import { lstat, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The directory `home/<parts>`, made of real directories (anything else in the way is removed). */
export async function realDirectory(home: string, parts: readonly string[]): Promise<string> {
  let dir = home;
  for (const part of parts) {
    dir = join(dir, part);
    const found = await lstat(dir).catch(() => undefined);
    if (found?.isDirectory()) continue;
    if (found) await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { mode: 0o700 });
  }
  return dir;
}

/** Replaces `dir/name` with a new file (whatever was there, a symlink included, is removed first). */
export async function replaceFile(dir: string, name: string, content: string): Promise<void> {
  const file = join(dir, name);
  await rm(file, { recursive: true, force: true });
  await writeFile(file, content, { mode: 0o600, flag: "wx" });
}
