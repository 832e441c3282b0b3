/**
 * The real `nightshift` binary against the real Worker under wrangler dev (local D1 + DOs), the
 * sandbox host running real sandboxes, the real `claude` CLI and the scripted model. The CLI
 * reaches the Worker through a TCP proxy so a test can cut its stream socket.
 */
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createDemoRepo,
  freePort,
  git,
  type Stack,
  startStack,
  startTcpProxy,
  type TcpProxy,
} from "@nightshift/devstack";
import type { CreateApiKeyResponse, StoredEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "./run-cli.ts";

let stack: Stack;
let proxy: TcpProxy;
let env: NodeJS.ProcessEnv;
let apiKey: string;

beforeAll(async () => {
  const port = await freePort();
  proxy = await startTcpProxy(port);
  stack = await startStack({ port, forceScriptedModel: true });
  const res = await fetch(`${stack.url}/api/v1/tenants/${stack.tenantId}/api-keys`, {
    method: "POST",
    headers: stack.headers,
    body: JSON.stringify({ name: "cli e2e" }),
  });
  expect(res.status).toBe(201);
  apiKey = ((await res.json()) as CreateApiKeyResponse).key;
  // A config directory of its own, and no key or URL from the developer's environment.
  env = {
    XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "nightshift-cli-")),
    NIGHTSHIFT_URL: "",
    NIGHTSHIFT_API_KEY: "",
  };
});

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

async function putBudget(budget: Record<string, number>): Promise<void> {
  const res = await fetch(`${stack.url}/api/v1/tenants/${stack.tenantId}/settings/budget`, {
    method: "PUT",
    headers: stack.headers,
    body: JSON.stringify(budget),
  });
  expect(res.status).toBe(200);
}

const jsonLines = (stdout: string): StoredEvent[] =>
  stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as StoredEvent);

function expectExactlyOnceInOrder(events: StoredEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

describe("the nightshift CLI against the real Worker", () => {
  it("login stores the key (mode 0600) after checking it; a bad key is refused with exit 3", async () => {
    const bad = await runCli(
      ["--url", proxy.url, "login", "--api-key", `nsk_aaaaaaaa_${"A".repeat(43)}`],
      env,
    );
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/API key is not valid/);
    expect(bad.stderr).toMatch(/nightshift login/);

    // `--api-key -` reads the key from stdin, out of the shell's history and the process list.
    const piped = await runCli(["--url", proxy.url, "login", "--api-key", "-"], env, `${apiKey}\n`);
    expect(piped.code, piped.stderr).toBe(0);

    const good = await runCli(["--url", proxy.url, "login", "--api-key", apiKey], env);
    expect(good.stderr).toMatch(/Logged in to .* as /);
    expect(good.code).toBe(0);
    const config = join(env.XDG_CONFIG_HOME ?? "", "nightshift", "config.json");
    expect(statSync(config).mode & 0o777).toBe(0o600);
  });

  it("login by browser: approved in the dashboard, the CLI stores its own new key; denied, it exits 3", async () => {
    const own = { ...env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "nightshift-device-")) };
    const codeOf = async (cli: ReturnType<typeof startCli>) => {
      await waitFor(() => /code [A-Z]{4}-[A-Z]{4}/.test(cli.stderr()), "the CLI to print its code", 30_000);
      return /code ([A-Z]{4}-[A-Z]{4})/.exec(cli.stderr())?.[1] ?? "";
    };
    const decide = (code: string, verb: "approve" | "deny") =>
      fetch(`${stack.url}/api/v1/tenants/${stack.tenantId}/device-authorizations/${code}/${verb}`, {
        method: "POST",
        headers: stack.headers,
        body: verb === "approve" ? JSON.stringify({ role: "member" }) : undefined,
      });

    const login = startCli(["--url", proxy.url, "login", "--no-browser"], own);
    const code = await codeOf(login);
    expect(login.stderr()).toMatch(/open http:\/\/.*\/device\?code=[A-Z]{4}-[A-Z]{4}/);
    expect((await decide(code, "approve")).status).toBe(200);
    expect(await login.exited, login.stderr()).toBe(0);
    expect(login.stderr()).toMatch(/Logged in to .* in tenant .* \(member\)/);
    const ls = await runCli(["ls", "--json"], own);
    expect(ls.code, ls.stderr).toBe(0);

    const denied = startCli(["--url", proxy.url, "login", "--no-browser"], {
      ...own,
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "nightshift-denied-")),
    });
    expect((await decide(await codeOf(denied), "deny")).status).toBe(200);
    expect(await denied.exited).toBe(3);
    expect(denied.stderr()).toMatch(/denied in the browser/);
  });

  it("run --follow prints the turn, exits 0, and the branch is pushed", async () => {
    const repo = createDemoRepo(stack.reposRoot, "cli-run");
    const run = await runCli(
      ["run", "local:cli-run", "Add notes/cli.md with a short summary.", "--follow", "--json"],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const events = jsonLines(run.stdout);
    expectExactlyOnceInOrder(events);
    const push = events.find((e) => e.event.type === "git.push")?.event;
    expect(push?.type).toBe("git.push");
    const branch = push?.type === "git.push" ? push.branch : "";
    const sha = push?.type === "git.push" ? push.sha : "";
    // The push reaches the local repository through the host's mirror, just after the event.
    const headOf = () => {
      try {
        return git(repo, ["rev-parse", "--verify", `refs/heads/${branch}`]);
      } catch {
        return null;
      }
    };
    expect(await waitFor(() => headOf() === sha && sha, "the pushed branch in the repository", 15_000)).toBe(
      sha,
    );
    expect(events.at(-1)?.event).toMatchObject({ type: "turn.end", status: "completed" });

    // The text view of the same session, as a person reads it.
    const id = (await runCli(["ls", "--json"], env)).stdout;
    const sessionId = (JSON.parse(id) as { id: string }[])[0]?.id ?? "";
    const tail = await runCli(["tail", sessionId, "--turn"], env);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toMatch(/tool Write .*notes\/cli\.md/);
    expect(tail.stdout).toMatch(/pushed .* @ [0-9a-f]{10}/);
    expect(tail.stdout).toMatch(/turn ended completed/);
  });

  it("a failed turn makes run --follow exit 1", async () => {
    createDemoRepo(stack.reposRoot, "cli-fail");
    // A session over its budget: the model gateway refuses the agent's first call and the turn
    // fails. (A tenant over its monthly budget cannot start the session at all: 402 at create.)
    await putBudget({ sessionUsd: 0 });
    try {
      const run = await runCli(["run", "local:cli-fail", "Do something.", "--follow"], env);
      expect(run.stdout).toMatch(/turn ended failed/);
      expect(run.stderr).toMatch(/the turn did not complete/);
      expect(run.code).toBe(1);
    } finally {
      await putBudget({});
    }
  });

  it("tail survives a dropped connection without gaps or duplicates", async () => {
    createDemoRepo(stack.reposRoot, "cli-tail");
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    // Slow enough (40 × 150 ms) that the cut lands mid-message even when a loaded machine starts the CLI late.
    stack.model!.enqueue({ kind: "text", text: words.join(" "), chunks: 40, chunkDelayMs: 150 });
    // The key and URL from the environment: this test stands alone (-t) without the login above.
    const keyed = { ...env, NIGHTSHIFT_URL: proxy.url, NIGHTSHIFT_API_KEY: apiKey };
    const run = await runCli(["run", "local:cli-tail", "Explain the repository in forty words."], keyed);
    expect(run.code, run.stderr).toBe(0);
    const sessionId = run.stdout.trim();
    const tail = startCli(["tail", sessionId, "--turn", "--json"], keyed);
    const deltas = () =>
      tail
        .stdout()
        .split("\n")
        .filter((l) => l.includes('"message.delta"')).length;
    await waitFor(() => deltas() >= 5, "streaming to reach the CLI", 60_000);
    // Only the CLI goes through the proxy (the sandbox talks to the Worker directly): this cuts its stream.
    const beforeDrop = deltas();
    expect(beforeDrop, "the message had already streamed whole before the cut").toBeLessThan(words.length);
    expect(proxy.dropAll()).toBeGreaterThan(0);
    const code = await tail.exited;
    expect(code, tail.stderr()).toBe(0);
    const events = jsonLines(tail.stdout());
    expectExactlyOnceInOrder(events);
    const streamed = events.flatMap((e) => (e.event.type === "message.delta" ? [e.event.text] : []));
    // Deltas went on arriving after the cut, and together they are exactly the message.
    expect(streamed.length).toBeGreaterThan(beforeDrop);
    const message = events.find((e) => e.event.type === "message" && e.event.role === "assistant")?.event;
    expect(streamed.join("")).toBe(message?.type === "message" ? message.text : "");
    expect(streamed.join("").replace(/\s+/g, " ").trim()).toBe(words.join(" "));
  });

  it("secrets set reads the value from stdin and never shows it; automations ls lists the tenant's automations", async () => {
    const value = `v-${crypto.randomUUID()}`;
    const set = await runCli(["secrets", "set", "CLI_TOKEN"], env, `${value}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).not.toMatch(/warning/);
    const ls = await runCli(["secrets", "ls"], env);
    expect(ls.stdout).toMatch(/^CLI_TOKEN\s+tenant/m);
    expect(ls.stdout + ls.stderr).not.toContain(value);
    expect((await runCli(["secrets", "rm", "CLI_TOKEN"], env)).code).toBe(0);
    expect((await runCli(["secrets", "ls", "--json"], env)).stdout).not.toContain("CLI_TOKEN");

    const none = await runCli(["automations", "ls"], env);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toMatch(/no automations/);
    const created = await fetch(`${stack.url}/api/v1/tenants/${stack.tenantId}/automations`, {
      method: "POST",
      headers: stack.headers,
      body: JSON.stringify({
        name: "Nightly deps",
        trigger: { kind: "schedule", cron: "0 3 * * *", timezone: "Europe/Berlin" },
        repo: { mode: "fixed", repo: { kind: "local", path: "demo" } },
        promptTemplate: "Bump the dependencies.",
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const listed = await runCli(["automations", "ls"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      /Nightly deps {2}schedule 0 3 \* \* \* \(Europe\/Berlin\) {2}enabled {2}next /,
    );
    const json = JSON.parse((await runCli(["automations", "ls", "--json"], env)).stdout) as {
      name: string;
    }[];
    expect(json.map((a) => a.name)).toEqual(["Nightly deps"]);
  });

  it("a bad API key gets a clear message and exit 3; an unknown session exit 4", async () => {
    const badKey = { ...env, NIGHTSHIFT_API_KEY: `nsk_bbbbbbbb_${"B".repeat(43)}` };
    const ls = await runCli(["ls"], badKey);
    expect(ls.code).toBe(3);
    expect(ls.stderr).toMatch(/this API key is not valid/);
    expect(ls.stderr).toMatch(/run `nightshift login`/);

    const unknown = "0123456789abcdefghijklmnop";
    for (const args of [
      ["show", unknown],
      ["tail", unknown],
      ["stop", unknown],
    ]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(" ")).toBe(4);
      expect(result.stderr).toMatch(/session/);
    }
    const usage = await runCli(["run", "not a repo", "x"], env);
    expect(usage.code).toBe(2);
  });
});
