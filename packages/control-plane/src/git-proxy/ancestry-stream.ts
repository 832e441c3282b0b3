/**
 * The pushed pack on its way upstream, read by the pack walk as it passes: each chunk is walked
 * before it is forwarded, and the proof that the branch only moves forward must exist before the
 * pack's last byte is released. If it cannot be proven, the stream errors instead, so the upstream
 * receives a truncated pack and updates nothing. Once proven, the rest passes untouched.
 */
import { descendsFrom, PackWalker } from "./pack-walk";
import { forcePushReason } from "./push-policy";
import type { RefUpdate } from "./receive-pack-request";
import type { BudgetedReader } from "./request-body";

/** `reason`: what git shows on the refused ref. */
export type Ancestry = { state: "pending" } | { state: "proven" } | { state: "refused"; reason: string };

export interface CheckedPack {
  stream: ReadableStream<Uint8Array>;
  /** Read after the upstream call settles. */
  verdict(): Ancestry;
}

export function checkedPack(
  head: Uint8Array,
  packStart: Uint8Array,
  body: BudgetedReader,
  update: RefUpdate,
  branch: string,
): CheckedPack {
  const walker = new PackWalker();
  let verdict: Ancestry = { state: "pending" };
  let headSent = false;

  const refuse = (reason: string, controller: ReadableStreamDefaultController<Uint8Array>) => {
    verdict = { state: "refused", reason };
    controller.error(new Error(`push refused: ${reason}`));
  };
  const notProven = (detail: string, controller: ReadableStreamDefaultController<Uint8Array>) =>
    refuse(forcePushReason(branch, detail), controller);

  /** Walks one chunk; true when it may be forwarded. */
  async function examine(chunk: Uint8Array, controller: ReadableStreamDefaultController<Uint8Array>) {
    if (verdict.state === "proven") return true;
    await walker.push(chunk);
    if (walker.error) {
      refuse(`the pack could not be read: ${walker.error}`, controller);
      return false;
    }
    if (descendsFrom(walker.commits, update.newOid, update.oldOid)) {
      verdict = { state: "proven" };
      return true;
    }
    if (walker.complete) {
      notProven(
        `${update.newOid.slice(0, 12)} does not descend from ${update.oldOid.slice(0, 12)}`,
        controller,
      );
      return false;
    }
    return true;
  }

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!headSent) {
          headSent = true;
          controller.enqueue(head);
          if (packStart.length > 0 && (await examine(packStart, controller))) controller.enqueue(packStart);
          return;
        }
        const chunk = await body.read();
        if (chunk === null) {
          if (verdict.state === "proven") controller.close();
          else if (verdict.state === "pending")
            notProven("the pushed pack does not show a fast-forward", controller);
          return;
        }
        if (await examine(chunk, controller)) controller.enqueue(chunk);
      } catch (err) {
        refuse(err instanceof Error ? err.message : "the push could not be read", controller);
      }
    },
    async cancel() {
      await body.cancel();
    },
  });
  return { stream, verdict: () => verdict };
}
