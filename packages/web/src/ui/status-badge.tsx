/** A session status as a coloured, labelled badge (colour is never the only signal). */
import type { SessionStatus } from "@nightshift/protocol";

const LIVE: ReadonlySet<SessionStatus> = new Set(["queued", "starting", "running", "stopping"]);

export function StatusBadge({ status }: { status: SessionStatus | null }) {
  const s = status ?? "queued";
  return (
    <span className={`badge badge-${s}`} data-status={s}>
      {LIVE.has(s) ? <span className="pulse" aria-hidden="true" /> : null}
      {s}
    </span>
  );
}
