/**
 * What keeps `nightshift tail`'s first output quick (docs/performance.md, "`nightshift tail`"):
 * the bundle carries only the code the CLI runs, and a tail that is killed, as most are, still
 * leaves Node's compile cache behind for the next start. The real binary against the real Worker
 * under wrangler dev; the session's events come in over the sandbox bridge.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BridgeClient, type RecordedStack, startRecordedStack } from "@nightshift/devstack";
import type { CreateApiKeyResponse } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIRST_PAGE_LIMIT } from "../src/first-page.ts";
import { startRecordingProxy } from "./recording-proxy.ts";
import { startCli } from "./run-cli.ts";

const BUNDLE = fileURLToPath(new URL("../dist/nightshift.mjs", import.meta.url));
const EVENTS = 200;

/** Every file under `dir`, with its size. */
function filesUnder(dir: string): { path: string; size: number }[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, size: statSync(path).size }));
}

describe("the bundle", () => {
  it("holds zod's English messages only and none of the protocol the CLI never speaks", () => {
    const bundle = readFileSync(BUNDLE, "utf8");
    // zod's other locales (French says "attendu") and the sandbox bridge's frames (runtimeVersion)
    // were parsed, and their schemas built, at every start.
    const holds = (text: string) => bundle.includes(text);
    expect(holds("Invalid input"), "zod's English messages").toBe(true);
    expect(holds("attendu"), "zod's French messages").toBe(false);
    expect(holds("runtimeVersion"), "the sandbox bridge's frames").toBe(false);
    expect(bundle.length).toBeLessThan(300_000);
  });
});

describe("nightshift tail against the Worker", () => {
  let stack: RecordedStack;
  let env: NodeJS.ProcessEnv;
  let sessionId: string;

  beforeAll(async () => {
    stack = await startRecordedStack();
    const { session, sandboxToken } = await stack.createSession("tail start");
    sessionId = session.id;
    const bridge = await BridgeClient.connect(stack.url, sandboxToken);
    bridge.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    const events = Array.from({ length: EVENTS }, (_, i) => ({
      seq: i + 1,
      event: { type: "message.delta", messageId: "m", text: `e${i + 1} ` },
    }));
    bridge.send({ v: 1, type: "events", events });
    await bridge.waitForAck(EVENTS, 60_000);
    bridge.close();
    const me = (await (await fetch(`${stack.url}/api/v1/me`, { headers: stack.headers })).json()) as {
      tenants: { id: string }[];
    };
    const res = await fetch(`${stack.url}/api/v1/tenants/${me.tenants[0]?.id}/api-keys`, {
      method: "POST",
      headers: stack.headers,
      body: JSON.stringify({ name: "tail start" }),
    });
    expect(res.status).toBe(201);
    const { key } = (await res.json()) as CreateApiKeyResponse;
    env = {
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "nightshift-cli-")),
      NIGHTSHIFT_URL: stack.url,
      NIGHTSHIFT_API_KEY: key,
    };
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("prints the first page from a plain HTTP GET and follows live from its cursor with no duplicate", async () => {
    const proxy = await startRecordingProxy(stack.url);
    const tail = startCli(["tail", sessionId, "--json"], { ...env, NIGHTSHIFT_URL: proxy.url });
    try {
      await waitFor(() => tail.stdout().includes(`"text":"e${EVENTS} "`), "the backlog to print", 60_000);
      await waitFor(() => proxy.seen.some((r) => r.startsWith("UPGRADE")), "the stream to open", 10_000);
      expect(tail.child.exitCode).toBeNull();
      // The first request is the events page (no WebSocket client loaded yet); the stream follows
      // from the last event that page held, not from the start.
      const [first] = proxy.seen;
      expect(first).toMatch(new RegExp(`^GET /api/v1/sessions/${sessionId}/events\\?after=0&limit=\\d+$`));
      const upgrade = proxy.seen.find((r) => r.startsWith("UPGRADE"));
      expect(upgrade).toContain(`/api/v1/sessions/${sessionId}/stream?after=${FIRST_PAGE_LIMIT}`);
      const seqs = tail
        .stdout()
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((line) => (JSON.parse(line) as { seq: number }).seq);
      expect(seqs.length).toBeGreaterThan(EVENTS);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    } finally {
      tail.child.kill("SIGKILL");
      await tail.exited;
      await proxy.close();
    }
  });

  it("prints its first output before Node loads undici (the WebSocket's client), which costs ~65 ms of CPU", async () => {
    const probe = fileURLToPath(new URL("./undici-probe.mjs", import.meta.url));
    const tail = startCli(["tail", sessionId, "--json"], { ...env, NODE_OPTIONS: `--import=${probe}` });
    try {
      await waitFor(() => tail.stderr().includes("undici-at-first-output"), "the first output", 60_000);
      expect(tail.stderr()).toContain("undici-at-first-output: not loaded");
      // The stream itself does load it afterwards, and the backlog prints whole.
      await waitFor(() => tail.stdout().includes(`"text":"e${EVENTS} "`), "the backlog to print", 60_000);
    } finally {
      tail.child.kill("SIGKILL");
      await tail.exited;
    }
  });

  it("a tail that is killed still leaves the compile cache for the next start", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "nightshift-compile-cache-"));
    const cached = { ...env, NODE_COMPILE_CACHE: cacheDir };
    const tail = startCli(["tail", sessionId, "--json"], cached);
    try {
      await waitFor(() => tail.stdout().includes(`"text":"e${EVENTS} "`), "the backlog to print", 60_000);
      // Written while the tail is still following the live session, not at an exit it never reaches.
      await waitFor(() => filesUnder(cacheDir).some((f) => f.size > 0), "the compile cache on disk", 10_000);
      expect(tail.child.exitCode).toBeNull();
    } finally {
      tail.child.kill("SIGKILL");
      await tail.exited;
    }
    // The next start reads that cache and prints the same backlog, in order.
    const again = startCli(["tail", sessionId, "--json"], cached);
    try {
      await waitFor(() => again.stdout().includes(`"text":"e${EVENTS} "`), "the backlog again", 60_000);
      const lines = again.stdout().split("\n");
      const upToLast = lines.slice(0, lines.findIndex((l) => l.includes(`"text":"e${EVENTS} "`)) + 1);
      const seqs = upToLast.map((line) => (JSON.parse(line) as { seq: number }).seq);
      expect(seqs.length).toBeGreaterThan(EVENTS);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    } finally {
      again.child.kill("SIGKILL");
      await again.exited;
    }
  });
});
