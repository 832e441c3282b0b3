/**
 * A session's Durable Object belongs to the tenant that created it: initialising the same id again
 * under another tenant is answered like a missing session and changes nothing.
 */
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { EventsPageResult } from "../src/session/rpc-types";
import { createSession, sessionStub, unwrapRpc } from "./helpers";

/** The session's log as JSON; the session moves on by itself (its launch), so compare content, not length. */
async function logText(session: Session): Promise<string> {
  const page = unwrapRpc<EventsPageResult>(
    await sessionStub(session.id).readEvents(session.tenantId, 0, 1000),
  );
  return JSON.stringify(page.events);
}

describe("SessionAgent.initialize", () => {
  it("refuses to re-initialise a session for another tenant and leaves it untouched", async () => {
    const s = await createSession("mine");
    const stub = sessionStub(s.id);
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
    const log = await logText(s);
    expect(log).not.toContain("leak it");
    expect(log).not.toContain("intruder");
    // Still the owner's: the intruder's tenant reads nothing, the owner's reads the log.
    expect((await stub.readEvents("tenant-b", 0, 10)).ok).toBe(false);
    expect((await stub.readEvents(s.tenantId, 0, 10)).ok).toBe(true);
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
