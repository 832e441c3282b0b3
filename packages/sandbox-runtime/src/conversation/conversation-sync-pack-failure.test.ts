/**
 * A conversation that cannot be packed (a file gone or unreadable between the listing and the
 * read) must not throw out of `save`: the session controller waits for the save before turn.end,
 * so a throw would leave the turn without its end. Root reads any file, so the failure is staged
 * by replacing the packer.
 */
import type { AgentEvent } from "@nightshift/protocol";
import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "../log";
import { ConversationSync } from "./conversation-sync";

vi.mock("./conversation-archive", () => ({
  packConversation: () => {
    throw Object.assign(new Error("EACCES: permission denied, open 'projects/s.jsonl'"), { code: "EACCES" });
  },
  unpackConversation: () => ({ ok: false, problem: "unused here" }),
}));

describe("conversation sync, when packing fails", () => {
  it("answers false with a log event instead of throwing, and sends nothing", async () => {
    const events: AgentEvent[] = [];
    const fetch = vi.fn<typeof globalThis.fetch>();
    const sync = new ConversationSync({
      controlPlaneUrl: "http://127.0.0.1:9",
      token: () => "t",
      files: { directory: "/nonexistent", holdsSession: () => false },
      emit: (event) => events.push(event),
      log: silentLogger,
      fetch,
    });
    await expect(sync.save("s")).resolves.toBe(false);
    expect(fetch).not.toHaveBeenCalled();
    const texts = events.flatMap((e) => (e.type === "log" ? [e.text] : []));
    expect(texts.join("")).toMatch(/could not pack the conversation: EACCES/);
  });
});
