/**
 * Smaller holes between the client and the session DO: internal headers a client forges, presence
 * names from the query string, and local repositories outside local mode.
 */
import { env } from "cloudflare:workers";
import type { ServerFrame } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import type { Bindings } from "../src/env";
import { withoutInternalHeaders } from "../src/http/forward-headers";
import { api, createSession, createTenant, StreamClient, waitFor } from "./helpers";

const bindings = env as unknown as Bindings;

/** Opens the stream with extra headers and records frames and the close code. */
async function openStreamWith(sessionId: string, headers: Record<string, string>, query = "") {
  const res = await api(`/api/v1/sessions/${sessionId}/stream${query}`, {
    headers: { upgrade: "websocket", ...headers },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const frames: ServerFrame[] = [];
  let closeCode: number | null = null;
  ws.addEventListener("message", (m) => frames.push(JSON.parse(String(m.data)) as ServerFrame));
  ws.addEventListener("close", (e) => {
    closeCode = e.code;
  });
  return { ws, frames, closeCode: () => closeCode };
}

describe("internal headers", () => {
  it("a client-sent x-nightshift-socket header cannot turn a watcher's stream into a sandbox bridge", async () => {
    const session = await createSession("forged headers");
    const stream = await openStreamWith(session.id, {
      "x-nightshift-socket": "sandbox",
      "x-nightshift-incarnation": "",
      "x-nightshift-token-id": "forged",
    });
    await waitFor("a watcher's replay, or the socket closing as a refused bridge", () =>
      stream.frames.some((f) => f.type === "replay.done") || stream.closeCode() !== null ? true : undefined,
    );
    expect(stream.closeCode()).toBeNull();
    expect(stream.frames.some((f) => f.type === "replay.done")).toBe(true);
    stream.ws.close(1000, "done");
  });

  it("drops every x-nightshift-* header a client sends, whatever its case", () => {
    const out = withoutInternalHeaders(
      new Headers({ "X-Nightshift-Tenant": "other", "x-nightshift-participant": "p", accept: "x" }),
    );
    expect([...out.keys()]).toEqual(["accept"]);
  });
});

describe("presence", () => {
  it("a watcher cannot pose as someone else through ?name= or a forged header", async () => {
    const session = await createSession("who is here");
    const stream = await openStreamWith(
      session.id,
      { "x-nightshift-participant-name": "Mallory" },
      "?name=The%20Owner",
    );
    const presence = await waitFor("a presence frame", () =>
      stream.frames.find((f): f is Extract<ServerFrame, { type: "presence" }> => f.type === "presence"),
    );
    expect(presence.participants.map((p) => p.name)).toEqual(["Local User"]);
    stream.ws.close(1000, "done");
    const plain = await StreamClient.open(session.id);
    await plain.waitForFrame("presence");
    plain.close();
  });
});

describe("local repositories", () => {
  it("a session on a local repository is refused outside local mode (400)", async () => {
    const who = await createTenant("cloud-local");
    const create = (mode: string) =>
      createApp().request(
        "http://nightshift.test/api/v1/sessions",
        {
          method: "POST",
          headers: { ...who.bearer, "content-type": "application/json" },
          body: JSON.stringify({ repo: { kind: "local", path: "demo" }, prompt: "read my laptop" }),
        },
        { ...bindings, NIGHTSHIFT_MODE: mode },
      );
    const refused = await create("cloud");
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toMatch(/only in local mode/);
    expect((await create("local")).status).toBe(201);
  });
});
