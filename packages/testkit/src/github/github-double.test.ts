import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GIT_ENV } from "./bare-repos";
import { appJwt } from "./double-test-helpers";
import { type GithubDouble, startGithubDouble } from "./github-double";
import { signWebhookBody } from "./webhook-sender";

const run = promisify(execFile);

describe("GitHub double", () => {
  let gh: GithubDouble;
  let jwt: string;
  const api = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${gh.apiUrl}${path}`, {
      ...init,
      headers: {
        accept: "application/vnd.github+json",
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.headers ?? {}),
      },
    });
  const mint = async (body: unknown) => {
    const res = await api(`/app/installations/7/access_tokens`, {
      method: "POST",
      token: jwt,
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    gh = await startGithubDouble({
      users: [
        { id: 1, login: "octo" },
        { id: 2, login: "reader" },
      ],
      repos: [
        {
          owner: "octo",
          name: "alpha",
          files: { "README.md": "# alpha\n" },
          collaborators: { reader: "read" },
        },
        { owner: "octo", name: "beta" },
        { owner: "octo", name: "outside" },
      ],
      installations: [{ id: 7, account: "octo", repos: ["octo/alpha", "octo/beta"] }],
    });
    jwt = appJwt(gh.app.privateKeyPem, gh.app.id);
  });
  afterAll(() => gh?.close());

  it("hands out a PKCS#1 key and checks App JWTs", async () => {
    expect(gh.app.privateKeyPem).toContain("BEGIN RSA PRIVATE KEY");
    expect((await api("/app", { token: jwt })).status).toBe(200);
    expect((await api("/app", { token: appJwt(gh.app.privateKeyPem, gh.app.clientId) })).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    expect((await api("/app", { token: appJwt(gh.app.privateKeyPem, 999) })).status).toBe(401);
    expect(
      (
        await api("/app", {
          token: appJwt(gh.app.privateKeyPem, gh.app.id, { iat: now - 900, exp: now - 10 }),
        })
      ).status,
    ).toBe(401);
    expect(
      (await api("/app", { token: appJwt(gh.app.privateKeyPem, gh.app.id, { iat: now, exp: now + 3600 }) }))
        .status,
    ).toBe(401);
    const forged = `${jwt.slice(0, jwt.lastIndexOf("."))}.${Buffer.from("nope").toString("base64url")}`;
    expect((await api("/app", { token: forged })).status).toBe(401);
    expect((await api("/app")).status).toBe(401);
  });

  it("mints installation tokens honouring repository_ids and permissions", async () => {
    const alpha = gh.repoId("octo", "alpha");
    const ok = await mint({ repository_ids: [alpha], permissions: { contents: "write" } });
    expect(ok.status).toBe(201);
    expect(ok.json.permissions).toEqual({ contents: "write", metadata: "read" });
    expect(ok.json.repository_selection).toBe("selected");
    const expires = Date.parse(String(ok.json.expires_at));
    expect(expires - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    expect((await mint({ repository_ids: [gh.repoId("octo", "outside")] })).status).toBe(422);
    expect((await mint({ permissions: { administration: "write" } })).status).toBe(422);
    expect((await mint({ repository_ids: "x" })).status).toBe(422);
    const bad = await api(`/app/installations/7/access_tokens`, {
      method: "POST",
      token: jwt,
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    expect((await api(`/app/installations/99/access_tokens`, { method: "POST", token: jwt })).status).toBe(
      404,
    );
    expect(
      gh.tokenMints.some((m) => m.repositoryIds?.[0] === alpha && m.permissions?.contents === "write"),
    ).toBe(true);

    const token = String(ok.json.token);
    expect((await api("/repos/octo/alpha", { token })).status).toBe(200);
    expect((await api("/repos/octo/beta", { token })).status).toBe(404);
    const pr = await api("/repos/octo/alpha/pulls", {
      method: "POST",
      token,
      body: JSON.stringify({ title: "t", head: "main", base: "main" }),
    });
    expect(pr.status).toBe(403);
    expect(((await pr.json()) as { message: string }).message).toBe("Resource not accessible by integration");
  });

  it("serves git over smart HTTP only within the token's repository, permission and lifetime", async () => {
    const alpha = gh.repoId("octo", "alpha");
    const write = String(
      (await mint({ repository_ids: [alpha], permissions: { contents: "write" } })).json.token,
    );
    const read = String(
      (await mint({ repository_ids: [alpha], permissions: { contents: "read" } })).json.token,
    );
    const work = await mkdtemp(join(tmpdir(), "gh-double-test-"));
    const withToken = (t: string, repo: string) =>
      `${gh.url.replace("http://", `http://x-access-token:${t}@`)}/octo/${repo}.git`;
    const git = (args: string[], cwd = work) => run("git", args, { cwd, env: GIT_ENV as NodeJS.ProcessEnv });
    try {
      await git(["clone", "--quiet", withToken(write, "alpha"), "alpha"]);
      const dir = join(work, "alpha");
      await writeFile(join(dir, "feature.txt"), "hello\n");
      await git(["add", "feature.txt"], dir);
      await git(["commit", "--quiet", "-m", "Add feature"], dir);
      await git(["push", "--quiet", withToken(write, "alpha"), "HEAD:refs/heads/agent/one"], dir);
      expect(await gh.commitSubjects("octo", "alpha", "agent/one")).toEqual([
        "Add feature",
        "Initial commit",
      ]);
      expect(await gh.readFile("octo", "alpha", "agent/one", "feature.txt")).toBe("hello\n");

      await expect(
        git(["push", "--quiet", withToken(read, "alpha"), "HEAD:refs/heads/agent/two"], dir),
      ).rejects.toThrow(/403|not granted/);
      await expect(
        git(["push", "--quiet", withToken(write, "beta"), "HEAD:refs/heads/agent/one"], dir),
      ).rejects.toThrow(/403|denied/);
      await expect(git(["ls-remote", `${gh.url}/octo/alpha.git`], dir)).rejects.toThrow();
      expect(gh.gitAccess.map((a) => a.outcome)).toEqual(
        expect.arrayContaining(["ok", "forbidden", "wrong-repository", "no-credentials"]),
      );

      gh.expireInstallationTokens();
      await expect(
        git(["push", "--quiet", withToken(write, "alpha"), "HEAD:refs/heads/agent/three"], dir),
      ).rejects.toThrow();
      expect(gh.gitAccess.at(-1)?.outcome).toBe("expired");
      expect(await gh.branchHead("octo", "alpha", "agent/three")).toBeNull();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it("creates, lists and updates draft pull requests and comments as the App", async () => {
    const token = String(
      (
        await mint({
          repository_ids: [gh.repoId("octo", "alpha")],
          permissions: { pull_requests: "write", issues: "write" },
        })
      ).json.token,
    );
    const missing = await api("/repos/octo/alpha/pulls", {
      method: "POST",
      token,
      body: JSON.stringify({ title: "x", head: "nope", base: "main" }),
    });
    expect(missing.status).toBe(422);
    const res = await api("/repos/octo/alpha/pulls", {
      method: "POST",
      token,
      body: JSON.stringify({ title: "Fix", head: "agent/one", base: "main", body: "Closes #1", draft: true }),
    });
    expect(res.status).toBe(201);
    const pr = (await res.json()) as {
      number: number;
      draft: boolean;
      html_url: string;
      head: { sha: string; ref: string };
    };
    expect(pr.draft).toBe(true);
    expect(pr.head.ref).toBe("agent/one");
    expect(pr.head.sha).toBe(await gh.branchHead("octo", "alpha", "agent/one"));
    expect(pr.html_url).toBe(`${gh.url}/octo/alpha/pull/${pr.number}`);
    const again = await api("/repos/octo/alpha/pulls", {
      method: "POST",
      token,
      body: JSON.stringify({ title: "Fix", head: "agent/one", base: "main" }),
    });
    expect(again.status).toBe(422);
    const listed = (await (
      await api("/repos/octo/alpha/pulls?head=octo:agent/one", { token })
    ).json()) as unknown[];
    expect(listed).toHaveLength(1);
    const patched = await api(`/repos/octo/alpha/pulls/${pr.number}`, {
      method: "PATCH",
      token,
      body: JSON.stringify({ title: "Fix v2" }),
    });
    expect(((await patched.json()) as { title: string }).title).toBe("Fix v2");
    const comment = await api(`/repos/octo/alpha/issues/${pr.number}/comments`, {
      method: "POST",
      token,
      body: JSON.stringify({ body: "Working on it" }),
    });
    expect(comment.status).toBe(201);
    expect(((await comment.json()) as { user: { login: string; type: string } }).user).toMatchObject({
      login: "nightshift-test[bot]",
      type: "Bot",
    });
    expect(gh.comments("octo", "alpha", pr.number).map((c) => c.body)).toEqual(["Working on it"]);
  });

  it("answers the collaborator permission API and user-token calls", async () => {
    const token = String(
      (await mint({ repository_ids: [gh.repoId("octo", "alpha")], permissions: { metadata: "read" } })).json
        .token,
    );
    const perm = async (login: string) =>
      (
        (await (await api(`/repos/octo/alpha/collaborators/${login}/permission`, { token })).json()) as {
          permission: string;
        }
      ).permission;
    expect(await perm("octo")).toBe("admin");
    expect(await perm("reader")).toBe("read");
    expect((await api("/repos/octo/alpha/collaborators/ghost/permission", { token })).status).toBe(404);

    const userToken = gh.issueUserToken("reader");
    const me = (await (await api("/user", { token: userToken })).json()) as { login: string };
    expect(me.login).toBe("reader");
    const repo = (await (await api("/repos/octo/alpha", { token: userToken })).json()) as {
      permissions: { push: boolean; pull: boolean };
    };
    expect(repo.permissions).toMatchObject({ push: false, pull: true });
    expect((await api("/repos/octo/beta", { token: userToken })).status).toBe(404);
    expect((await api("/user", { token: "gho_unknown" })).status).toBe(401);
  });

  it("runs the OAuth web flow", async () => {
    const authorize = new URL(`${gh.url}/login/oauth/authorize`);
    authorize.search = new URLSearchParams({
      client_id: gh.app.clientId,
      redirect_uri: "http://127.0.0.1:1/cb",
      state: "s1",
      login: "octo",
    }).toString();
    const redirect = await fetch(authorize, { redirect: "manual" });
    const back = new URL(redirect.headers.get("location") ?? "");
    expect(back.searchParams.get("state")).toBe("s1");
    const body = {
      client_id: gh.app.clientId,
      client_secret: gh.app.clientSecret,
      code: back.searchParams.get("code"),
    };
    const exchange = async () =>
      (await (
        await fetch(`${gh.url}/login/oauth/access_token`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(body),
        })
      ).json()) as Record<string, string>;
    const first = await exchange();
    expect(first.access_token).toMatch(/^gho_/);
    expect((await exchange()).error).toBe("bad_verification_code");
  });

  it("signs webhooks like GitHub and delivers issues.labeled", async () => {
    expect(signWebhookBody("It's a Secret to Everybody", "Hello, World!")).toBe(
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    try {
      const address = sink.address();
      if (!address || typeof address === "string") throw new Error("no address");
      gh.setWebhookUrl(`http://127.0.0.1:${address.port}/webhooks/github`);
      const issue = gh.createIssue("octo", "alpha", { title: "Typo", author: "octo" });
      const result = await gh.labelIssue("octo", "alpha", issue, "agent", "octo");
      expect(result.status).toBe(202);
      const delivery = received[0];
      expect(delivery?.headers["x-github-event"]).toBe("issues");
      expect(delivery?.headers["x-github-delivery"]).toBe(result.deliveryId);
      expect(delivery?.headers["x-hub-signature-256"]).toBe(
        signWebhookBody(gh.app.webhookSecret, delivery?.body ?? ""),
      );
      const payload = JSON.parse(delivery?.body ?? "{}") as {
        action: string;
        label: { name: string };
        installation: { id: number };
        issue: { number: number };
      };
      expect(payload).toMatchObject({
        action: "labeled",
        label: { name: "agent" },
        installation: { id: 7 },
        issue: { number: issue },
      });
    } finally {
      await new Promise<void>((resolve) => sink.close(() => resolve()));
    }
  });
});
