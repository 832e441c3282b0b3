/**
 * Every error response travels with its code's status from protocol's error table, so a client
 * can trust either one: the WebSocket-only endpoints say upgrade_required (426), not an
 * invalid_request that is 400 everywhere else; a closed session is 409 session_closed.
 */
import { ERROR_TABLE, ErrorBody } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { api, createSession, postJson } from "./helpers";

async function errorOf(res: Response) {
  const parsed = ErrorBody.parse(await res.json());
  return { status: res.status, code: parsed.error.code, tableStatus: ERROR_TABLE[parsed.error.code].status };
}

describe("error statuses come from the error table", () => {
  it("answers a plain GET on a WebSocket endpoint with upgrade_required, whose status is 426", async () => {
    const s = await createSession();
    const stream = await errorOf(await api(`/api/v1/sessions/${s.id}/stream`));
    expect(stream).toEqual({ status: 426, code: "upgrade_required", tableStatus: 426 });
    const bridge = await errorOf(await api("/sandbox/connect", {}, null));
    expect(bridge).toEqual({ status: 426, code: "upgrade_required", tableStatus: 426 });
  });

  it("keeps code and status together across a sample of refusals", async () => {
    const s = await createSession();
    await postJson(`/api/v1/sessions/${s.id}/stop`, {});
    const samples = [
      await api("/api/v1/no-such-route"),
      await api("/api/v1/sessions", {}, null),
      await postJson("/api/v1/sessions", "{", {}),
      await api("/api/v1/sessions", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }),
      await postJson(`/api/v1/sessions/${s.id}/prompts`, { text: "one more" }),
      await postJson("/api/v1/sessions", {
        repo: { kind: "github", owner: "acme", name: "nope" },
        prompt: "p",
      }),
    ];
    const seen = await Promise.all(samples.map(errorOf));
    for (const error of seen) expect(error.status, error.code).toBe(error.tableStatus);
    expect(seen.map((e) => e.code)).toEqual([
      "not_found",
      "unauthorized",
      "invalid_json",
      "unsupported_media_type",
      "session_closed",
      expect.any(String),
    ]);
  });
});
