/** Whether the session's newest sandbox started warm (from a prebuilt snapshot) or cold, as the stream says it. */
import type { Timeline } from "../timeline/timeline";

const STARTED = /^sandbox started \(isolation: /m;
const WARM = /^warm start: /m;

/**
 * From the newest "sandbox started" log line (the launcher adds a "warm start:" line when the
 * sandbox came from the repository's snapshot), so the badge shows before the row is read again.
 */
export function sandboxStartFromTimeline(timeline: Pick<Timeline, "items">): "warm" | "cold" | null {
  for (let i = timeline.items.length - 1; i >= 0; i--) {
    const item = timeline.items[i];
    if (item?.kind !== "log" || item.source !== "sandbox") continue;
    for (let j = item.lines.length - 1; j >= 0; j--) {
      const text = item.lines[j]?.text ?? "";
      if (STARTED.test(text)) return WARM.test(text) ? "warm" : "cold";
    }
  }
  return null;
}

export function sandboxStartLabel(start: "warm" | "cold"): string {
  return start === "warm" ? "warm start" : "cold start";
}
