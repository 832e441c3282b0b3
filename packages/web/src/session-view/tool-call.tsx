/** One tool call, collapsible: name and a one-line gist when closed, full input and output open. */
import { memo } from "react";
import type { TimelineItem } from "../timeline/timeline";

type ToolItem = Extract<TimelineItem, { kind: "tool" }>;

const OUTPUT_PREVIEW_CHARS = 20_000;

/** The most telling part of a tool input, for the closed summary (a command, a path, a pattern). */
export function toolGist(input: unknown): string {
  if (input === null || input === undefined) return "";
  if (typeof input === "string") return input;
  if (typeof input !== "object") return String(input);
  const o = input as Record<string, unknown>;
  for (const k of [
    "command",
    "cmd",
    "file_path",
    "filePath",
    "path",
    "pattern",
    "url",
    "query",
    "description",
  ]) {
    const v = o[k];
    if (typeof v === "string" && v) return v;
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.join(" ");
  }
  return JSON.stringify(input);
}

function renderInput(input: unknown): string {
  if (typeof input === "string") return input;
  try {
    return JSON.stringify(input, null, 2) ?? "";
  } catch {
    return String(input);
  }
}

export const ToolCall = memo(function ToolCall({ item }: { item: ToolItem }) {
  const gist = toolGist(item.input);
  const state = !item.done ? "running" : item.isError ? "failed" : "done";
  const output = item.output ?? "";
  return (
    <details className={`tool tool-${state}`} data-tool-id={item.toolId}>
      <summary>
        <span className="tool-name">{item.name}</span>
        <span className="tool-gist mono">{gist.length > 140 ? `${gist.slice(0, 140)}…` : gist}</span>
        <span className={`tool-state tool-state-${state}`}>{state}</span>
      </summary>
      <div className="tool-body">
        <h4>Input</h4>
        <pre className="mono">{renderInput(item.input)}</pre>
        <h4>Output</h4>
        {item.done ? (
          <pre className={`mono${item.isError ? " error-text" : ""}`}>
            {output.length > OUTPUT_PREVIEW_CHARS
              ? `${output.slice(0, OUTPUT_PREVIEW_CHARS)}\n… (${output.length - OUTPUT_PREVIEW_CHARS} more characters)`
              : output || "(no output)"}
          </pre>
        ) : (
          <p className="muted">Running…</p>
        )}
      </div>
    </details>
  );
});
