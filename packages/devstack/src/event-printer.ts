/** Renders session events as terminal lines for `make demo` (one line per step, deltas inline). */
import type { StoredEvent } from "@nightshift/protocol";
import pc from "picocolors";

const clip = (text: string, max = 160) => {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

export class EventPrinter {
  private streaming = false;

  constructor(private readonly write: (text: string) => void = (t) => process.stdout.write(t)) {}

  print(stored: StoredEvent): void {
    const e = stored.event;
    if (e.type === "message.delta") {
      if (!this.streaming) this.write(`${pc.dim(`#${stored.seq}`)} ${pc.cyan("assistant")} `);
      this.streaming = true;
      this.write(e.text.replace(/\n/g, " "));
      return;
    }
    if (this.streaming) {
      this.write("\n");
      this.streaming = false;
      if (e.type === "message") return; // the complete message repeats the streamed text
    }
    const line = this.describe(stored);
    if (line) this.write(`${pc.dim(`#${stored.seq}`)} ${line}\n`);
  }

  private describe({ event: e }: StoredEvent): string | null {
    switch (e.type) {
      case "session.status":
        return `${pc.bold("status")} ${e.status}${e.reason ? pc.dim(` (${e.reason})`) : ""}`;
      case "prompt":
        return `${pc.magenta("prompt")} ${e.author}: ${clip(e.text)}`;
      case "message":
        return `${pc.cyan(e.role)} ${clip(e.text)}`;
      case "tool.start":
        return `${pc.yellow("tool")} ${e.name} ${pc.dim(clip(JSON.stringify(e.input), 120))}`;
      case "tool.end":
        return `${e.isError ? pc.red("tool failed") : pc.green("tool done")} ${pc.dim(clip(e.output, 120))}`;
      case "usage":
        return `${pc.blue("usage")} ${e.inputTokens} in / ${e.outputTokens} out, ${e.costUsd === undefined ? "cost unknown" : `$${e.costUsd.toFixed(6)}`}`;
      case "turn.end":
        return `${pc.bold("turn ended")} ${e.status}${e.durationMs !== undefined ? ` in ${e.durationMs} ms` : ""}`;
      case "git.push":
        return `${pc.green("pushed")} ${e.branch} @ ${e.sha.slice(0, 10)} (${e.filesChanged} files, +${e.insertions} -${e.deletions})`;
      case "pr":
        return `${pc.green("pull request")} ${e.url}`;
      case "log":
        return pc.dim(`[${e.source}] ${clip(e.text)}`);
      case "error":
        return `${pc.red(`error ${e.code}`)} ${e.message}`;
      default:
        return null;
    }
  }
}

/** `events` as `make demo` prints them, as one string (for failure messages). */
export function renderEvents(events: StoredEvent[]): string {
  const parts: string[] = [];
  const printer = new EventPrinter((text) => parts.push(text));
  for (const event of events) printer.print(event);
  return parts.join("");
}
