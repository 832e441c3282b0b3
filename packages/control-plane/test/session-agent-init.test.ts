/**
 * A session's Durable Object belongs to the tenant that created it: initialising the same id again
 * under another tenant is answered like a missing session and changes nothing.
 */
import { describe, expect, it } from "vitest";
import { createSession, logSeqs, sessionStub } from "./helpers";

describe("SessionAgent.initialize", () => {
  it("refuses to re-initialise a session for another tenant and leaves it untouched", async () => {
    const s = await createSession("mine");
    const stub = sessionStub(s.id);
    const before = await logSeqs(s);
    const result = await stub.initialize({
      sessionId: s.id,
      tenantId: "tenant-b",
      title: "taken over",
      repo: { kind: "local", path: "elsewhere" },
      agent: "claude-code",
      model: null,
      branch: "nightshift/taken-over",
      createdBy: "intruder",
      prompt: { id: "p-intruder", text: "leak it", author: { id: "intruder", name: "I", email: "i@x" } },
    });
    expect(result).toEqual({ ok: false, code: "session_not_found", message: "session not found" });
    expect(await logSeqs(s)).toEqual(before);
    // The owner's own re-initialisation is idempotent: it reports the status and adds nothing.
    const again = await stub.initialize({
      sessionId: s.id,
      tenantId: s.tenantId,
      title: s.title,
      repo: s.repo,
      agent: s.agent,
      model: s.model,
      branch: s.branch,
      createdBy: s.createdBy,
      prompt: { id: "p-again", text: "again", author: { id: s.createdBy, name: "o", email: "o@x" } },
    });
    expect(again.ok).toBe(true);
  });
});
