/**
 * `POST …/git-receive-pack` through the proxy: read the ref updates, refuse anything but the
 * session's branch moving forward (push-policy.ts) with an answer git prints, and stream the
 * pack upstream — through the pack walk when a fast-forward must be proven. Each ref's verdict
 * is audited.
 */
import { checkedPack } from "./ancestry-stream";
import { auditPush, type PushRecord } from "./push-audit";
import { judgePush, SIBLING_REFUSED } from "./push-policy";
import type { ReceivePackHead } from "./receive-pack-request";
import { refusalResponse } from "./report-status";
import { BodyTooLarge, type BudgetedReader, readHead } from "./request-body";
import { callUpstream, type UpstreamCall } from "./upstream";

export interface PushContext {
  call: Omit<UpstreamCall, "body">;
  branch: string;
  allowForcePush: boolean;
  body: BudgetedReader;
  /** Runs the audit write after the response (ctx.waitUntil). */
  defer(work: Promise<unknown>): void;
}

const text = (status: number, message: string) =>
  new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" },
  });

function audit(ctx: PushContext, records: PushRecord[]): void {
  if (records.length === 0) return;
  const { env, tenantId, sessionId } = ctx.call;
  ctx.defer(auditPush(env, tenantId, sessionId, records).catch(() => undefined));
}

function refuseAll(ctx: PushContext, head: ReceivePackHead, reasons: Map<string, string>): Response {
  const refusals = head.commands.map((update) => ({
    ref: update.ref,
    reason: reasons.get(update.ref) ?? SIBLING_REFUSED,
  }));
  audit(
    ctx,
    head.commands.map((update, i) => ({ update, verdict: "refused", reason: refusals[i]?.reason ?? "" })),
  );
  const message = `nightshift: ${[...reasons.values()][0] ?? "push refused"}`;
  return refusalResponse(head.capabilities, refusals, message);
}

/** Passes git's body upstream: the bytes already read, then the rest as it arrives. */
function replay(bytes: Uint8Array, body: BudgetedReader): ReadableStream<Uint8Array> {
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first) {
        first = false;
        controller.enqueue(bytes);
        return;
      }
      const chunk = await body.read();
      if (chunk === null) controller.close();
      else controller.enqueue(chunk);
    },
    async cancel() {
      await body.cancel();
    },
  });
}

export async function handleReceivePack(ctx: PushContext): Promise<Response> {
  let read: Awaited<ReturnType<typeof readHead>>;
  try {
    read = await readHead(ctx.body);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      audit(ctx, [{ update: null, verdict: "refused", reason: err.message }]);
      return text(413, `push refused: ${err.message}`);
    }
    throw err;
  }
  if (read.status === "malformed") {
    await ctx.body.drain();
    audit(ctx, [{ update: null, verdict: "refused", reason: read.message }]);
    return text(400, `push refused: ${read.message}`);
  }
  const head = read.parse.head;
  const judgement = judgePush(head.commands, { branch: ctx.branch, allowForcePush: ctx.allowForcePush });
  const refused = new Map<string, string>();
  for (const verdict of judgement.verdicts) if (!verdict.ok) refused.set(verdict.update.ref, verdict.reason);
  if (refused.size > 0) {
    await ctx.body.drain();
    return refuseAll(ctx, head, refused);
  }

  const check = judgement.ancestryCheck;
  const packed = check
    ? checkedPack(
        read.bytes.subarray(0, head.length),
        read.bytes.subarray(head.length),
        ctx.body,
        check,
        ctx.branch,
      )
    : null;
  const upstream = await callUpstream({
    ...ctx.call,
    body: packed ? packed.stream : replay(read.bytes, ctx.body),
  }).catch(() => null);
  const verdict = packed?.verdict();
  if (verdict?.state === "refused" || verdict?.state === "pending") {
    if (upstream?.ok) await upstream.response.body?.cancel();
    await ctx.body.drain();
    const reason =
      verdict.state === "refused" ? verdict.reason : "the push was cut off before it was checked";
    return refuseAll(ctx, head, new Map(head.commands.map((c) => [c.ref, reason])));
  }
  if (!upstream?.ok) {
    await ctx.body.drain();
    return upstream
      ? text(upstream.status, upstream.message)
      : text(502, "the push could not be passed upstream");
  }
  audit(
    ctx,
    head.commands.map((update) => ({ update, verdict: "allowed" })),
  );
  return upstream.response;
}
