/**
 * A sandbox holds nothing worth stealing, proved from inside a real one: a GitHub session (the
 * Worker under wrangler dev, the sandbox host with bubblewrap where it works, the real `claude`
 * CLI, the scripted model, the testkit GitHub double) clones through the git proxy, then the
 * agent itself scans everything it can read — its environment, $HOME, the workdir, /tmp, the
 * sandbox's fixed paths, /proc/<pid>/environ and cmdline — for GitHub tokens and the model key;
 * and the host scans every process of the sandbox and every file in its directory the same way.
 * The model key is the one this stack gives the Worker's gateway; any token the GitHub double
 * issued (installation or user) found there is a failure.
 * And the provider itself is given nothing worth stealing: its create request holds only the
 * bootstrap variables (issue 13), the runtime fetches the rest over the bootstrap exchange.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CreateSandboxRequest, Session, StoredEvent } from "@nightshift/protocol";
import type { GithubDouble } from "@nightshift/testkit/github";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GithubBrowser } from "../src/github-flow";
import { type GithubStack, startGithubStack } from "../src/github-stack";
import type { Stack } from "../src/stack";
import { StreamWatcher } from "../src/stream-socket";

const OWNER = "octo";
const REPO = "vault";
/** What devstack gives the Worker's model gateway for the scripted model (stack.ts). */
const MODEL_KEY = "sk-ant-scripted-model";
const GITHUB_TOKEN = /gh[opsu]_[A-Za-z0-9]{16,}/;
const SCAN = readFileSync(new URL("./fixtures/credential-scan.mjs", import.meta.url), "utf8");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface ScanHit {
  where: string;
  kind: string;
  sha256: string;
}

let gh: GithubDouble;
let stack: Stack;
let octo: GithubBrowser;
let site: GithubStack;

beforeAll(async () => {
  site = await startGithubStack({
    github: {
      app: { slug: "nightshift-scan" },
      users: [{ id: 201, login: OWNER }],
      repos: [
        { owner: OWNER, name: REPO, files: { "README.md": "# vault\n", "tools/credential-scan.mjs": SCAN } },
      ],
      installations: [{ id: 9, account: OWNER, repos: [`${OWNER}/${REPO}`] }],
    },
    owner: OWNER,
    installationId: 9,
  });
  ({ gh, stack, user: octo } = site);
}, 120_000);

afterAll(async () => {
  await site?.close();
});

/** Host pids of `root` and everything below it (from /proc's parent links). */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/**
 * Every regular file under `dir` (no links followed), as [path, text]. The sandbox is live while
 * it is read: git and the runtime replace files by rename, so an entry may vanish between being
 * listed and being read — skipped, as it is no longer there to hold anything.
 */
function filesUnder(dir: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (path: string) => {
    try {
      const stat = lstatSync(path);
      if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
      else if (stat.isFile()) out.push([path, readFileSync(path, "latin1")]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  };
  walk(dir);
  return out;
}

describe("what a sandbox holds", () => {
  it("no variable, file or process inside a live sandbox holds a GitHub token or the model key, after it cloned and pushed through the git proxy", async () => {
    stack.model!.enqueue(
      {
        kind: "tool",
        name: "Bash",
        input: { command: "node tools/credential-scan.mjs", description: "scan for credentials" },
      },
      {
        kind: "tool",
        name: "Bash",
        input: { command: "mkdir -p docs && echo scanned > docs/SCANNED.md", description: "write" },
      },
      { kind: "text", text: "Scanned." },
    );
    const res = await fetch(`${stack.url}/api/v1/tenants/${octo.tenantId}/sessions`, {
      method: "POST",
      headers: { ...octo.headers, "content-type": "application/json" },
      body: JSON.stringify({
        repo: { kind: "github", owner: OWNER, name: REPO },
        prompt: "Scan the sandbox",
      }),
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as Session;
    const w = await StreamWatcher.open(stack.url, session.id, 0, octo.headers);
    await w
      .until("the turn to end", () => w.events.some((e) => e.event.type === "turn.end"), 150_000)
      .catch((err: Error) => {
        throw new Error(
          `${err.message}; events: ${JSON.stringify(w.events.map((e) => e.event)).slice(-3000)}`,
        );
      });
    // The clone and the push went through the proxy, which minted installation tokens for itself.
    expect(await gh.readFile(OWNER, REPO, session.branch, "docs/SCANNED.md")).toContain("scanned");
    expect(gh.tokenMints.length).toBeGreaterThan(0);

    // The agent's own view, from inside its sandbox.
    const outputs = w.events.flatMap((e: StoredEvent) =>
      e.event.type === "tool.end" ? [e.event.output] : [],
    );
    const line = outputs.join("\n").match(/CREDENTIAL-SCAN (\{.*\})/)?.[1];
    expect(line, outputs.join("\n").slice(0, 2000)).toBeDefined();
    const scan = JSON.parse(line!) as { looked: number; hits: ScanHit[] };
    expect(scan.looked).toBeGreaterThan(10);
    // Every credential GitHub (the double) handed out, by hash: the scan also meets example
    // tokens in third-party files the sandbox can read (a README's "ghp_…"), which are no one's.
    const issued = new Set(gh.issuedTokens().map(sha256));
    expect(issued.size).toBeGreaterThan(0);
    expect(scan.hits.filter((hit) => issued.has(hit.sha256))).toEqual([]);
    expect(scan.hits.filter((hit) => hit.sha256 === sha256(MODEL_KEY))).toEqual([]);

    // The host's view of the same sandbox: every process's environment and command line, and
    // every file in its directory (workdir, home, state with the runtime's event buffer).
    const sandbox = await waitFor(
      () => stack.host.manager.list().find((s) => s.sessionId === session.id && s.state === "running"),
      "the session's sandbox",
    );
    const pids = processTree(sandbox.pid!);
    expect(pids.length).toBeGreaterThan(1);
    const places: [string, string][] = filesUnder(join(stack.host.config.dataDir, sandbox.id));
    for (const pid of pids)
      for (const file of ["environ", "cmdline"]) {
        try {
          places.push([`/proc/${pid}/${file}`, readFileSync(`/proc/${pid}/${file}`, "latin1")]);
        } catch {
          // exited meanwhile
        }
      }
    expect(places.length).toBeGreaterThan(pids.length);
    const tokens = gh.issuedTokens();
    for (const [where, text] of places) {
      for (const token of tokens) expect(text.includes(token), where).toBe(false);
      expect(text.includes(MODEL_KEY), where).toBe(false);
    }
    w.close();
  }, 240_000);
});

describe("what a sandbox provider is given", () => {
  it("the create request to the provider carries only the bootstrap variables: no tenant secret, no sandbox token, no model key, no GitHub token; the runtime still gets the secret through the exchange", async () => {
    const secretValue = `vault-secret-${crypto.randomUUID()}`;
    const put = await fetch(`${stack.url}/api/v1/tenants/${octo.tenantId}/secrets/DEPLOY_TOKEN`, {
      method: "PUT",
      headers: { ...octo.headers, "content-type": "application/json" },
      body: JSON.stringify({ value: secretValue }),
    });
    expect(put.status).toBe(201);
    // Every create request the host receives, as it received it (the real host still runs it).
    const creates: CreateSandboxRequest[] = [];
    const manager = stack.host.manager;
    const create = manager.create.bind(manager);
    manager.create = (request) => {
      creates.push(structuredClone(request));
      return create(request);
    };
    stack.model!.enqueue(
      {
        kind: "tool",
        name: "Bash",
        input: { command: 'test -n "$DEPLOY_TOKEN" && echo secret-present', description: "check" },
      },
      { kind: "text", text: "Checked." },
    );
    const res = await fetch(`${stack.url}/api/v1/tenants/${octo.tenantId}/sessions`, {
      method: "POST",
      headers: { ...octo.headers, "content-type": "application/json" },
      body: JSON.stringify({ repo: { kind: "github", owner: OWNER, name: REPO }, prompt: "Check" }),
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as Session;
    const w = await StreamWatcher.open(stack.url, session.id, 0, octo.headers);
    try {
      await w
        .until("the turn to end", () => w.events.some((e) => e.event.type === "turn.end"), 150_000)
        .catch((err: Error) => {
          const events = JSON.stringify(w.events.map((e) => e.event)).slice(-3000);
          throw new Error(`${err.message}; creates: ${creates.length}; events: ${events}`);
        });
      const request = creates.find((r) => r.sessionId === session.id);
      expect(request).toBeDefined();
      expect(Object.keys(request!.env).sort()).toEqual([
        "NIGHTSHIFT_BOOTSTRAP_TOKEN",
        "NIGHTSHIFT_CONTROL_PLANE_URL",
        "NIGHTSHIFT_SESSION_ID",
      ]);
      const whole = JSON.stringify(request);
      expect(whole).not.toContain(secretValue);
      expect(whole).not.toContain(MODEL_KEY);
      expect(whole).not.toMatch(GITHUB_TOKEN);
      // The one token in it is the bootstrap token: no sandbox token rides along under any name.
      const jwts = whole.match(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g) ?? [];
      expect(jwts).toEqual([request!.env.NIGHTSHIFT_BOOTSTRAP_TOKEN]);
      const claims = JSON.parse(Buffer.from(jwts[0]!.split(".")[1]!, "base64url").toString()) as {
        aud: string;
        exp: number;
        iat: number;
      };
      expect(claims.aud).toBe("sandbox-bootstrap");
      expect(claims.exp - claims.iat).toBe(15 * 60);
      // The runtime got the secret from the exchange: the agent's tool saw it (its value masked).
      const outputs = w.events.flatMap((e) => (e.event.type === "tool.end" ? [e.event.output] : []));
      expect(outputs.join("\n")).toContain("secret-present");
      expect(JSON.stringify(w.events)).not.toContain(secretValue);
    } finally {
      manager.create = create;
      w.close();
    }
  }, 240_000);
});
