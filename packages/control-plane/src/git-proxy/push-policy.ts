/**
 * Which ref updates a session may push: only `refs/heads/<its branch>`, never a deletion, and a
 * non-fast-forward only when the session allows force-pushes. Fast-forward cannot be read from
 * the commands alone; `ancestryCheck` names the update whose pack must prove it (pack-walk.ts).
 */
import { isZeroOid, type RefUpdate } from "./receive-pack-request";

export interface PushRules {
  branch: string;
  allowForcePush: boolean;
}

export type RefVerdict = { update: RefUpdate; ok: true } | { update: RefUpdate; ok: false; reason: string };

export interface PushJudgement {
  verdicts: RefVerdict[];
  /** Set when an allowed update replaces an existing commit: the pack must show `newOid` descends from `oldOid`. */
  ancestryCheck: RefUpdate | null;
}

function judgeOne(update: RefUpdate, rules: PushRules): RefVerdict {
  const own = `refs/heads/${rules.branch}`;
  if (update.ref !== own) {
    const what = update.ref.startsWith("refs/tags/")
      ? `tag ${update.ref.slice("refs/tags/".length)}`
      : update.ref.startsWith("refs/heads/")
        ? `branch ${update.ref.slice("refs/heads/".length)}`
        : update.ref;
    return { update, ok: false, reason: `this session may push only to ${rules.branch}, not to ${what}` };
  }
  if (isZeroOid(update.newOid))
    return { update, ok: false, reason: `this session may not delete its branch ${rules.branch}` };
  return { update, ok: true };
}

export function judgePush(commands: readonly RefUpdate[], rules: PushRules): PushJudgement {
  const verdicts = commands.map((update) => judgeOne(update, rules));
  const own = verdicts.find((v) => v.ok);
  const replaces = own && !isZeroOid(own.update.oldOid) && own.update.oldOid !== own.update.newOid;
  return {
    verdicts,
    ancestryCheck: replaces && !rules.allowForcePush ? own.update : null,
  };
}

/** The reason every ref gets when the pack could not prove a fast-forward. */
export function forcePushReason(branch: string, detail: string): string {
  return `force-push to ${branch} refused (${detail}); fetch, rebase onto the remote branch, push again`;
}

/** For the refs in a push that was refused because of another ref in it. */
export const SIBLING_REFUSED = "push refused because another ref in it was refused";
