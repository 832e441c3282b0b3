/**
 * A realistic normalized event log for one session, shaped on what the Claude Code adapter makes
 * of a recorded run (packages/sandbox-runtime/src/agents/fixtures/claude-write.jsonl, resume): a
 * prompt, a streamed answer, a file write and a shell call, usage, a push, a PR, then a follow-up
 * turn.
 */
import type { AgentEventInput, StoredEvent } from "@nightshift/protocol";
import { StoredEvent as StoredEventSchema } from "@nightshift/protocol";

const T0 = Date.parse("2026-11-23T12:00:00.000Z");

export function stored(events: AgentEventInput[], firstSeq = 1): StoredEvent[] {
  return events.map((event, i) =>
    StoredEventSchema.parse({
      seq: firstSeq + i,
      at: new Date(T0 + (firstSeq + i) * 250).toISOString(),
      event,
    }),
  );
}

export const firstTurn: AgentEventInput[] = [
  { type: "session.status", status: "starting" },
  { type: "prompt", promptId: "p1", text: "Add a greeting to hello.txt", author: "Ada" },
  { type: "session.status", status: "running" },
  { type: "message.delta", messageId: "m1", text: "I'll " },
  { type: "message.delta", messageId: "m1", text: "create **hello.txt** " },
  { type: "message.delta", messageId: "m1", text: "with a greeting." },
  { type: "message", messageId: "m1", role: "assistant", text: "I'll create **hello.txt** with a greeting." },
  {
    type: "tool.start",
    toolId: "toolu_1",
    name: "Write",
    input: { file_path: "/work/hello.txt", content: "hello\n" },
  },
  {
    type: "tool.end",
    toolId: "toolu_1",
    name: "Write",
    output: "File created successfully at: /work/hello.txt",
    isError: false,
  },
  {
    type: "tool.start",
    toolId: "toolu_2",
    name: "Bash",
    input: { command: "cat hello.txt", description: "show file" },
  },
  { type: "tool.end", toolId: "toolu_2", output: "cat: nope: No such file or directory", isError: true },
  { type: "message.delta", messageId: "m2", text: "Done:\n\n- wrote `hello.txt`" },
  { type: "message", messageId: "m2", role: "assistant", text: "Done:\n\n- wrote `hello.txt`\n- checked it" },
  {
    type: "usage",
    inputTokens: 24,
    outputTokens: 14,
    cacheReadTokens: 100,
    cacheWriteTokens: 0,
    costUsd: 0.000282,
    model: "claude-sonnet-4-5",
  },
  { type: "turn.end", promptId: "p1", status: "completed", durationMs: 4200 },
  {
    type: "git.push",
    branch: "nightshift/add-a-greeting-1a2b3c4d",
    sha: "0123456789abcdef",
    filesChanged: 1,
    insertions: 1,
    deletions: 0,
  },
  { type: "pr", url: "https://github.com/acme/demo/pull/7", number: 7, state: "draft" },
  { type: "session.status", status: "idle" },
];

export const followUpTurn: AgentEventInput[] = [
  { type: "prompt", promptId: "p2", text: "Also say goodbye", author: "Grace" },
  { type: "session.status", status: "running" },
  { type: "log", source: "start.sh", stream: "stdout", text: "installing" },
  { type: "log", source: "start.sh", stream: "stderr", text: "warning: cache cold" },
  { type: "message.delta", messageId: "m3", text: "Adding goodbye." },
  {
    type: "usage",
    inputTokens: 30,
    outputTokens: 10,
    cacheReadTokens: 0,
    cacheWriteTokens: 5,
    costUsd: 0.0003,
  },
  { type: "error", code: "budget_exceeded", message: "The session reached its USD budget." },
  { type: "turn.end", promptId: "p2", status: "failed" },
  { type: "session.status", status: "failed", reason: "budget exceeded" },
];
