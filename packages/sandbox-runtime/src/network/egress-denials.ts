/**
 * The host's egress proxy reports each connection it refused on a stream (JSON lines) served on
 * the same socket; this turns every line into a session `log` event (source "egress", stderr),
 * so the person watching sees why `npm install` or a fetch failed. Lines that do not parse are
 * skipped; the stream is re-opened with a delay when it ends while the runtime still runs.
 */
import { request } from "node:http";
import { type AgentEvent, EGRESS_DENIALS_PATH, EgressDenial } from "@nightshift/protocol";

const RETRY_MS = 1_000;
const MAX_LINE = 4096;

export function describeDenial(denial: EgressDenial): string {
  const repeats = denial.repeats > 0 ? ` (and ${denial.repeats} more like it)` : "";
  return `egress denied: ${denial.target}: ${denial.reason}${repeats}\n`;
}

export interface DenialStream {
  stop(): void;
}

/** Follows the denials stream on `socketPath` until stopped, emitting one log event per denial. */
export function followEgressDenials(socketPath: string, emit: (event: AgentEvent) => void): DenialStream {
  let stopped = false;
  let current: ReturnType<typeof request> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const again = () => {
    if (stopped) return;
    timer = setTimeout(open, RETRY_MS);
    timer.unref();
  };

  function open(): void {
    let pending = "";
    let ended = false;
    const reopen = () => {
      if (ended) return;
      ended = true;
      again();
    };
    current = request({ socketPath, path: EGRESS_DENIALS_PATH, method: "GET" }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        pending += chunk;
        const lines = pending.split("\n");
        pending = (lines.pop() ?? "").slice(-MAX_LINE);
        for (const line of lines) {
          const parsed = line.length <= MAX_LINE ? EgressDenial.safeParse(safeJson(line)) : null;
          if (parsed?.success)
            emit({ type: "log", source: "egress", stream: "stderr", text: describeDenial(parsed.data) });
        }
      });
      res.on("end", reopen);
      res.on("error", reopen);
    });
    current.on("error", reopen);
    current.end();
  }

  open();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      current?.destroy();
    },
  };
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
