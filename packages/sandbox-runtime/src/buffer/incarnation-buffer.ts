/**
 * Where this incarnation's event buffer lives. A resumed sandbox (NIGHTSHIFT_RESUME=1) may have
 * started from a provider snapshot of the last one, whose buffer holds the old incarnation's
 * events: their seqs mean nothing to the new incarnation's bridge (the control plane acks from 0
 * again), so the buffer starts empty. A first incarnation keeps whatever is there (a runtime
 * restarted in the same sandbox resends what was not acked).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";

export function incarnationBufferDir(stateDir: string, resume: boolean): string {
  const dir = join(stateDir, "events");
  if (resume) rmSync(dir, { recursive: true, force: true });
  return dir;
}
