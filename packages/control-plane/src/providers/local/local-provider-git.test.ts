/**
 * LocalSandboxProvider.gitUpstream against the host's git contract (/work/briefs/git-proxy-url.md):
 * the session + incarnation path, git's headers only, the streamed body, and a signature over
 * `<ts>.<METHOD>.<path with nonce>.` (empty body part) that differs for identical requests.
 */
import { describe, expect, it } from "vitest";
import { SandboxProviderError } from "../provider";
import { LocalSandboxProvider } from "./local-provider";

const HOST_URL = "http://127.0.0.1:7070";
const SECRET = "local-provider-git-secret";

async function expectedSignature(ts: string, method: string, path: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(`${ts}.${method}.${path}.`));
  return `v1=${Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function recordingFetch(answer: () => Response) {
  const seen: { request: Request; body: string }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push({ request, body: request.body ? await request.text() : "" });
    return answer();
  };
  return { seen, fetch: fetch as typeof globalThis.fetch };
}

describe("local provider: git upstream", () => {
  it("signs the path with a fresh nonce and an empty body part, and streams git's body", async () => {
    const host = recordingFetch(() => new Response("0000", { status: 200 }));
    const provider = new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch: host.fetch });
    const headers = new Headers({
      "content-type": "application/x-git-receive-pack-request",
      "git-protocol": "version=2",
    });
    for (let i = 0; i < 2; i++) {
      const res = await provider.gitUpstream({
        sessionId: "s-1",
        incarnation: "01jinc",
        endpoint: "git-receive-pack",
        method: "POST",
        headers,
        body: new Blob(["0000PACK"]).stream(),
      });
      expect(res.status).toBe(200);
    }
    const [first, second] = host.seen;
    if (!first || !second) throw new Error("expected two requests");
    const url = new URL(first.request.url);
    expect(url.pathname).toBe("/v1/sessions/s-1/incarnations/01jinc/git/git-receive-pack");
    expect(url.searchParams.get("nonce")).toMatch(/^[0-9a-f-]{36}$/);
    expect(new URL(second.request.url).searchParams.get("nonce")).not.toBe(url.searchParams.get("nonce"));
    expect(first.body).toBe("0000PACK");
    expect(first.request.headers.get("content-type")).toBe("application/x-git-receive-pack-request");
    expect(first.request.headers.get("git-protocol")).toBe("version=2");
    const ts = first.request.headers.get("x-nightshift-timestamp") ?? "";
    expect(first.request.headers.get("x-nightshift-signature")).toBe(
      await expectedSignature(ts, "POST", `${url.pathname}${url.search}`),
    );
    expect(first.request.headers.get("x-nightshift-signature")).not.toBe(
      second.request.headers.get("x-nightshift-signature"),
    );
  });

  it("asks info/refs with the service in the query", async () => {
    const host = recordingFetch(() => new Response("", { status: 200 }));
    const provider = new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch: host.fetch });
    await provider.gitUpstream({
      sessionId: "s-2",
      incarnation: "inc",
      endpoint: "info/refs",
      service: "git-upload-pack",
      method: "GET",
      headers: new Headers(),
      body: null,
    });
    const url = new URL(host.seen[0]?.request.url ?? "");
    expect(url.pathname).toBe("/v1/sessions/s-2/incarnations/inc/git/info/refs");
    expect(url.searchParams.get("service")).toBe("git-upload-pack");
  });

  it("an unreachable host is a transient provider error that names the host", async () => {
    const provider = new LocalSandboxProvider({
      hostUrl: HOST_URL,
      secret: SECRET,
      fetch: (async () => {
        throw new TypeError("connection refused");
      }) as typeof fetch,
    });
    const call = provider.gitUpstream({
      sessionId: "s-3",
      incarnation: "inc",
      endpoint: "git-upload-pack",
      method: "POST",
      headers: new Headers(),
      body: null,
    });
    await expect(call).rejects.toBeInstanceOf(SandboxProviderError);
    await expect(call).rejects.toMatchObject({
      kind: "transient",
      message: expect.stringContaining(HOST_URL),
    });
  });
});
