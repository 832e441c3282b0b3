/** How the dashboard names sandbox providers and reads a started sandbox's isolation from the log. */
import type { Timeline } from "../timeline/timeline";

const PROVIDER_LABELS: Record<string, string> = {
  local: "Local sandbox host",
  daytona: "Daytona",
  modal: "Modal",
};

export function providerLabel(name: string): string {
  return PROVIDER_LABELS[name] ?? name;
}

const STARTED = /^sandbox started \(isolation: ([^)\n]+)\)/m;

/**
 * The isolation of the newest sandbox the stream reported starting (the launcher logs it), so
 * the header shows it as soon as the sandbox starts, before the session row is read again.
 */
export function isolationFromTimeline(timeline: Pick<Timeline, "items">): string | null {
  for (let i = timeline.items.length - 1; i >= 0; i--) {
    const item = timeline.items[i];
    if (item?.kind !== "log" || item.source !== "sandbox") continue;
    for (let j = item.lines.length - 1; j >= 0; j--) {
      const match = STARTED.exec(item.lines[j]?.text ?? "");
      if (match?.[1]) return match[1];
    }
  }
  return null;
}
