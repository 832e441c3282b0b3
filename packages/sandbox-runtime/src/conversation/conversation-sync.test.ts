/**
 * The runtime's side of conversation storage against a stand-in for the control plane's
 * /sandbox/conversation route (127.0.0.1, in memory), and the session controller's use of it: a
 * resumed sandbox restores before its first turn and resumes the CLI session; every turn saves
 * before its turn.end.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AGENT_SESSION_HEADER, type AgentEvent } from "@nightshift/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { claudeCode } from "../agents/claude-code";
import { silentLogger } from "../log";
import { ConversationSync } from "./conversation-sync";

const TOKEN = "sandbox-token-for-conversation-tests";

interface Stored {
  body: Buffer | null;
  agentSessionId: string | undefined;
  puts: number;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), "ns-conv-home-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The control plane's conversation route, as far as the runtime can tell. */
async function controlPlane(status?: number): Promise<{ url: string; stored: Stored }> {
  const stored: Stored = { body: null, agentSessionId: undefined, puts: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (status) {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: { code: "unauthorized", message: "this sandbox token is no longer valid" },
          }),
        );
        return;
      }
      if (req.url !== "/base/sandbox/conversation" || req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401).end();
        return;
      }
      if (req.method === "PUT") {
        stored.body = Buffer.concat(chunks);
        stored.agentSessionId = req.headers[AGENT_SESSION_HEADER] as string | undefined;
        stored.puts++;
        res.writeHead(200, { "content-type": "application/json" }).end('{"bytes":1}');
      } else if (!stored.body) res.writeHead(204).end();
      else res.writeHead(200, { "content-type": "application/gzip" }).end(stored.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`, stored };
}

function syncFor(url: string, home: string, maxBytes?: number) {
  const events: AgentEvent[] = [];
  const sync = new ConversationSync({
    controlPlaneUrl: url,
    token: () => TOKEN,
    files: claudeCode.conversationFiles!(home),
    emit: (event) => events.push(event),
    log: silentLogger,
    ...(maxBytes ? { maxBytes } : {}),
  });
  const logs = () => events.flatMap((e) => (e.type === "log" ? [e.text] : []));
  return { sync, events, logs };
}

/** A Claude Code transcript where the CLI writes it: $HOME/.claude/projects/<cwd slug>/<id>.jsonl. */
function transcript(home: string, sessionId: string, text: string, ageSeconds = 0): string {
  const file = join(home, ".claude", "projects", "-nightshift-work", `${sessionId}.jsonl`);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
  const at = Date.now() / 1000 - ageSeconds;
  utimesSync(file, at, at);
  return file;
}

describe("conversation sync", () => {
  it("saves the CLI's session files and a new sandbox restores them and resumes that session", async () => {
    const { url, stored } = await controlPlane();
    const oldHome = tempHome();
    transcript(oldHome, "sess-1", '{"message":"Add notes/first.md"}\n');
    expect(await syncFor(url, oldHome).sync.save("sess-1")).toBe(true);
    expect(stored.agentSessionId).toBe("sess-1");

    const newHome = tempHome();
    const resumed = syncFor(url, newHome);
    expect(await resumed.sync.restore("sess-1")).toBe("sess-1");
    const restored = join(newHome, ".claude", "projects", "-nightshift-work", "sess-1.jsonl");
    expect(readFileSync(restored, "utf8")).toBe('{"message":"Add notes/first.md"}\n');
    expect(resumed.logs().join("")).toMatch(/restored the agent's conversation/);
  });

  it("a conversation over the bound: a clear log event, the newest kept, and the session still resumes", async () => {
    const { url } = await controlPlane();
    const home = tempHome();
    transcript(home, "older", randomBytes(60_000).toString("base64"), 600);
    transcript(home, "current", randomBytes(20_000).toString("base64"), 0);
    const saver = syncFor(url, home, 50_000);
    expect(await saver.sync.save("current")).toBe(true);
    expect(saver.logs().join("")).toMatch(
      /over its 50000-byte bound: 1 older file\(s\) left out; the current conversation is kept/,
    );
    const resumed = syncFor(url, tempHome());
    expect(await resumed.sync.restore("current")).toBe("current");
  });

  it("a current conversation too large to keep says a resumed session starts fresh", async () => {
    const { url, stored } = await controlPlane();
    const home = tempHome();
    transcript(home, "huge", randomBytes(80_000).toString("base64"));
    const saver = syncFor(url, home, 50_000);
    expect(await saver.sync.save("huge")).toBe(false);
    expect(stored.puts).toBe(0);
    expect(saver.logs().join("")).toMatch(/does not fit, so a resumed session starts a fresh one/);
  });

  it("restoring without a saved conversation, or one without the session, starts fresh and says so", async () => {
    const { url } = await controlPlane();
    const empty = syncFor(url, tempHome());
    expect(await empty.sync.restore("sess-x")).toBeUndefined();
    expect(empty.logs().join("")).toMatch(/no saved conversation to restore/);
    const home = tempHome();
    transcript(home, "another", "{}\n");
    await syncFor(url, home).sync.save("another");
    const other = syncFor(url, tempHome());
    expect(await other.sync.restore("sess-x")).toBeUndefined();
    expect(other.logs().join("")).toMatch(/does not hold the agent's last session/);
  });

  it("a refusal or an unreachable control plane is a log event, never a thrown error", async () => {
    const refused = await controlPlane(401);
    const home = tempHome();
    transcript(home, "s", "{}\n");
    const saver = syncFor(refused.url, home);
    expect(await saver.sync.save("s")).toBe(false);
    expect(await saver.sync.restore("s")).toBeUndefined();
    expect(saver.logs().join("")).toMatch(/answered 401 \(this sandbox token is no longer valid\)/);
    const down = syncFor("http://127.0.0.1:9", home);
    expect(await down.sync.save("s")).toBe(false);
    expect(down.logs().join("")).toMatch(/could not save the conversation/);
    // The token never appears in what the session shows.
    expect(JSON.stringify([...saver.events, ...down.events])).not.toContain(TOKEN);
  });
});
