/**
 * How sessions and their events read in a terminal: one line per step, the assistant's streamed
 * text inline, tool calls with their input and result on one line each. `--json` skips all this.
 */
import type { Session, StoredEvent } from "@nightshift/protocol";
import pc from "picocolors";

const clip = (text: string, max = 160) => {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

/** A tool's input the way a person would say it: the command, the path, else compact JSON. */
function toolInput(input: unknown): string {
  if (input && typeof input === "object") {
    const fields = input as Record<string, unknown>;
    for (const key of ["command", "file_path", "path", "pattern", "url", "query"]) {
      const value = fields[key];
      if (typeof value === "string") return value;
    }
  }
  return JSON.stringify(input) ?? "";
}

export class EventRenderer {
  private streaming = false;

  constructor(private readonly write: (text: string) => void) {}

  render(stored: StoredEvent): void {
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
      // The whole message repeats what was just streamed.
      if (e.type === "message" && e.role === "assistant") return;
    }
    const line = describe(stored);
    if (line) this.write(`${pc.dim(`#${stored.seq}`)} ${line}\n`);
  }

  /** Ends a streamed line left open, so what follows starts on its own line. */
  flush(): void {
    if (!this.streaming) return;
    this.write("\n");
    this.streaming = false;
  }
}

function describe({ event: e }: StoredEvent): string | null {
  switch (e.type) {
    case "session.status":
      return `${pc.bold("status")} ${e.status}${e.reason ? pc.dim(` (${clip(e.reason, 200)})`) : ""}`;
    case "session.queue":
      return `${pc.bold("queued")} ${e.position === 1 ? "next in line" : `position ${e.position}`}`;
    case "prompt":
      return `${pc.magenta("prompt")} ${e.author}: ${clip(e.text)}`;
    case "message":
      return `${pc.cyan(e.role)} ${clip(e.text, 400)}`;
    case "tool.start":
      return `${pc.yellow("tool")} ${e.name} ${pc.dim(clip(toolInput(e.input), 140))}`;
    case "tool.end":
      return `${e.isError ? pc.red("  ✗ failed") : pc.green("  ✓ done")} ${pc.dim(clip(e.output, 140))}`;
    case "usage":
      return `${pc.blue("usage")} ${e.inputTokens} in / ${e.outputTokens} out${e.model ? ` (${e.model})` : ""}, ${
        e.costUsd === undefined ? "cost unknown" : `$${e.costUsd.toFixed(4)}`
      }`;
    case "turn.end": {
      const took = e.durationMs !== undefined ? ` in ${(e.durationMs / 1000).toFixed(1)} s` : "";
      const status = e.status === "completed" ? pc.green(e.status) : pc.red(e.status);
      return `${pc.bold("turn ended")} ${status}${took}${e.summary ? pc.dim(` — ${clip(e.summary)}`) : ""}`;
    }
    case "git.push":
      return `${pc.green("pushed")} ${e.branch} @ ${e.sha.slice(0, 10)} (${e.filesChanged} files, +${e.insertions} -${e.deletions})`;
    case "pr":
      return `${pc.green(`pull request #${e.number}`)} ${e.url} (${e.state})`;
    case "log":
      return pc.dim(`[${e.source}] ${clip(e.text)}`);
    case "error":
      return `${pc.red(`error ${e.code}`)} ${e.message}`;
    default:
      return null;
  }
}

export function repoLabel(session: Pick<Session, "repo">): string {
  return session.repo.kind === "local"
    ? `local:${session.repo.path}`
    : `${session.repo.owner}/${session.repo.name}`;
}

function colorStatus(status: Session["status"]): string {
  if (status === "failed") return pc.red(status);
  if (status === "completed" || status === "idle") return pc.green(status);
  if (status === "stopped" || status === "paused") return pc.dim(status);
  return pc.yellow(status);
}

/** `ls`: id, status, agent, repository, title; aligned columns. */
export function sessionTable(sessions: Session[]): string {
  const rows = sessions.map((s) => ({
    id: s.id,
    status: s.status,
    agent: s.agent,
    repo: repoLabel(s),
    title: clip(s.title, 60),
  }));
  const widest = (pick: (r: (typeof rows)[number]) => string) =>
    Math.max(0, ...rows.map((r) => pick(r).length));
  const status = widest((r) => r.status);
  const agent = widest((r) => r.agent);
  const repo = widest((r) => r.repo);
  return rows
    .map((r) =>
      [
        r.id,
        colorStatus(r.status) + " ".repeat(status - r.status.length),
        r.agent.padEnd(agent),
        r.repo.padEnd(repo),
        r.title,
      ].join("  "),
    )
    .join("\n");
}

/** `show`: one field a line. */
export function sessionDetails(s: Session): string {
  const lines: [string, string][] = [
    ["id", s.id],
    ["title", s.title],
    ["status", colorStatus(s.status) + (s.queuePosition ? ` (position ${s.queuePosition} in line)` : "")],
    ["repository", repoLabel(s)],
    ["agent", `${s.agent}${s.model ? ` (${s.model})` : ""}`],
    ["branch", s.branch],
    ["trigger", s.trigger],
    ["cost", `$${s.costUsd.toFixed(4)}`],
    ["pull request", s.prUrl ?? "none"],
    ["created", s.createdAt],
    ["updated", s.updatedAt],
  ];
  if (s.sandbox)
    lines.push(["sandbox", `${s.sandbox.provider}${s.sandbox.isolation ? `, ${s.sandbox.isolation}` : ""}`]);
  return lines.map(([k, v]) => `${pc.dim(k.padEnd(13))}${v}`).join("\n");
}
