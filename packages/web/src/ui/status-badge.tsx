/** A session status as a coloured, labelled badge (colour is never the only signal). */
import type { SessionStatus } from "@nightshift/protocol";

const LIVE: ReadonlySet<SessionStatus> = new Set(["queued", "starting", "resuming", "running", "stopping"]);

/** What a status that is not self-explanatory means, as the badge's tooltip. */
const MEANING: Partial<Record<SessionStatus, string>> = {
  paused: "The sandbox was released between turns; send a follow-up to resume the session on a new one",
  resuming: "A new sandbox is being prepared on the session's branch, with the agent's conversation",
};

export function StatusBadge({ status }: { status: SessionStatus | null }) {
  const s = status ?? "queued";
  return (
    <span className={`badge badge-${s}`} data-status={s} title={MEANING[s]}>
      {LIVE.has(s) ? <span className="pulse" aria-hidden="true" /> : null}
      {s}
    </span>
  );
}
