/**
 * Plays a sandbox runtime over the real bridge (/sandbox/connect with the session's sandbox
 * token): hello, ready, then for each prompt the control plane dispatches, a scripted turn of
 * normalized events (token deltas, a tool call, usage, turn end, push, PR) at a chosen pace.
 */

import { BridgeClient, waitUntil } from "@nightshift/devstack";
import type { AgentEventInput, ControlFrame } from "@nightshift/protocol";

type PromptFrame = Extract<ControlFrame, { type: "prompt" }>;

/** One turn as an agent with streaming (Claude Code with partial messages) reports it. */
export function scriptedTurn(promptId: string, turn: number, text: string): AgentEventInput[] {
  const words = text.split(/(?<=\s)/);
  const messageId = `msg-${promptId}`;
  const toolId = `toolu-${promptId}`;
  return [
    {
      type: "tool.start",
      toolId,
      name: "Write",
      input: { file_path: `notes/turn-${turn}.md`, content: "# Notes\n" },
    },
    {
      type: "tool.end",
      toolId,
      name: "Write",
      output: `File created successfully at: notes/turn-${turn}.md`,
      isError: false,
    },
    ...words.map((w): AgentEventInput => ({ type: "message.delta", messageId, text: w })),
    { type: "message", messageId, role: "assistant", text },
    {
      type: "usage",
      inputTokens: 1200 * turn,
      outputTokens: 90 * turn,
      costUsd: 0.0125 * turn,
      model: "claude-sonnet-4-5",
    },
    { type: "turn.end", promptId, status: "completed", durationMs: 1500 },
    {
      type: "git.push",
      branch: "nightshift/browser-test",
      sha: `${turn}`.repeat(7).padEnd(40, "a"),
      filesChanged: turn,
      insertions: 3 * turn,
      deletions: turn - 1,
    },
  ];
}

export class ScriptedRuntime {
  private seq = 0;
  private handled = 0;

  private constructor(readonly bridge: BridgeClient) {}

  static async connect(workerUrl: string, token: string): Promise<ScriptedRuntime> {
    const bridge = await BridgeClient.connect(workerUrl, token);
    const runtime = new ScriptedRuntime(bridge);
    bridge.send({ v: 1, type: "hello", runtimeVersion: "web-browser-test", lastSeq: 0 });
    await waitUntil(
      "the bridge's welcome",
      async () => bridge.frames.some((f) => f.type === "welcome"),
      15_000,
    );
    bridge.send({ v: 1, type: "ready" });
    return runtime;
  }

  /** The next prompt the control plane dispatches to this sandbox. */
  async nextPrompt(timeoutMs = 30_000): Promise<PromptFrame> {
    let found: PromptFrame | undefined;
    await waitUntil(
      "a prompt from the control plane",
      async () => {
        const prompts = this.bridge.frames.filter((f): f is PromptFrame => f.type === "prompt");
        found = prompts[this.handled];
        return found !== undefined;
      },
      timeoutMs,
    );
    this.handled += 1;
    return found!;
  }

  /** Sends events one frame each, `paceMs` apart, and waits until the control plane stored them. */
  async play(events: AgentEventInput[], paceMs = 0): Promise<void> {
    for (const event of events) {
      this.seq += 1;
      this.bridge.send({ v: 1, type: "events", events: [{ seq: this.seq, event }] });
      if (paceMs > 0) await new Promise((r) => setTimeout(r, paceMs));
    }
    await this.bridge.waitForAck(this.seq);
  }

  hasFrame(type: ControlFrame["type"]): boolean {
    return this.bridge.frames.some((f) => f.type === type);
  }

  close(): void {
    this.bridge.close();
  }
}
