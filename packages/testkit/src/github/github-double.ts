/**
 * A GitHub double on 127.0.0.1, laid out like GitHub Enterprise Server (web and git at `/`, REST at
 * `/api/v3`): App JWT auth, installation tokens honouring `repository_ids`/`permissions`/expiry,
 * the REST endpoints Nightshift uses, the OAuth flow, git smart HTTP over real bare repositories,
 * and a signed-webhook sender for the events it models. State is inspectable for assertions.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { generateAppKeyPair } from "./app-jwt";
import { branchHead, commitSubjects, createBareRepo, readFileAt } from "./bare-repos";
import { type GitAccessRecord, handleGit, isGitRequest } from "./git-http";
import { GithubState, type IssueComment, type PullRequest, type GithubState as State } from "./github-state";
import { GithubApiError, sendError, sendJson } from "./http-io";
import {
  InstallationTokens,
  type MintRequest,
  type InstallationTokens as Tokens,
} from "./installation-tokens";
import { OAuthFlow } from "./oauth-flow";
import { handleRest } from "./rest-api";
import { issueCommentPayload, issuesLabeledPayload } from "./webhook-payloads";
import { sendWebhook, type WebhookResult } from "./webhook-sender";

const role = z.enum(["admin", "maintain", "write", "triage", "read", "none"]);
const optionsSchema = z.object({
  app: z
    .object({
      id: z.number().int().positive().default(4242),
      slug: z.string().min(1).default("nightshift-test"),
      clientId: z.string().min(1).default("Iv1.double0client"),
      clientSecret: z.string().min(1).default("double-client-secret"),
      webhookSecret: z.string().min(1).default("double-webhook-secret"),
      permissions: z
        .record(z.string(), z.enum(["read", "write"]))
        .default({ contents: "write", pull_requests: "write", issues: "write", metadata: "read" }),
    })
    .prefault({}),
  users: z
    .array(
      z.object({
        id: z.number().int().positive(),
        login: z.string().min(1),
        name: z.string().nullable().default(null),
        email: z.string().nullable().default(null),
        type: z.enum(["User", "Bot"]).default("User"),
      }),
    )
    .default([]),
  repos: z
    .array(
      z.object({
        owner: z.string().min(1),
        name: z.string().min(1),
        id: z.number().int().positive().optional(),
        private: z.boolean().default(true),
        defaultBranch: z.string().min(1).default("main"),
        files: z.record(z.string(), z.string()).default({}),
        collaborators: z.record(z.string(), role).default({}),
      }),
    )
    .default([]),
  installations: z
    .array(
      z.object({
        id: z.number().int().positive(),
        account: z.string().min(1),
        repos: z.union([z.literal("all"), z.array(z.string())]).default("all"),
      }),
    )
    .default([]),
  /** Lifetime of installation tokens; GitHub's is one hour. */
  tokenTtlMs: z
    .number()
    .int()
    .positive()
    .default(60 * 60 * 1000),
  /** Where signed webhooks go (can be set later with `setWebhookUrl`). */
  webhookUrl: z.string().url().optional(),
});
export type GithubDoubleOptions = z.input<typeof optionsSchema>;

export interface GithubDouble {
  url: string;
  apiUrl: string;
  app: {
    id: number;
    slug: string;
    clientId: string;
    clientSecret: string;
    webhookSecret: string;
    privateKeyPem: string;
  };
  state: State;
  /** Every installation-token request, with what was asked for. */
  tokenMints: MintRequest[];
  gitAccess: GitAccessRecord[];
  requests: { method: string; path: string; auth: "app" | "installation" | "user" | "none" }[];
  repoId(owner: string, name: string): number;
  issueUserToken(login: string): string;
  createIssue(owner: string, name: string, issue: { title: string; body?: string; author: string }): number;
  addComment(
    owner: string,
    name: string,
    number: number,
    comment: { author: string; body: string },
  ): IssueComment;
  comments(owner: string, name: string, number: number): IssueComment[];
  pulls(owner: string, name: string): PullRequest[];
  branchHead(owner: string, name: string, branch: string): Promise<string | null>;
  commitSubjects(owner: string, name: string, branch: string): Promise<string[]>;
  readFile(owner: string, name: string, branch: string, path: string): Promise<string | null>;
  setWebhookUrl(url: string): void;
  /** Labels an issue and delivers the signed `issues.labeled` webhook. */
  labelIssue(owner: string, name: string, number: number, label: string, by: string): Promise<WebhookResult>;
  /** Comments on an issue or PR and delivers the signed `issue_comment.created` webhook. */
  commentWithWebhook(
    owner: string,
    name: string,
    number: number,
    comment: { author: string; body: string },
  ): Promise<WebhookResult>;
  deliver(
    event: string,
    payload: unknown,
    opts?: { deliveryId?: string; signature?: string | null },
  ): Promise<WebhookResult>;
  expireInstallationTokens(): void;
  setTokenTtl(ms: number): void;
  close(): Promise<void>;
}

function authKind(header: string | undefined): "app" | "installation" | "user" | "none" {
  const cred = /^(?:bearer|token|basic)\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (!cred) return "none";
  if (cred.split(".").length === 3) return "app";
  return cred.startsWith("ghs_") ? "installation" : cred.startsWith("gho_") ? "user" : "none";
}

export async function startGithubDouble(input: GithubDoubleOptions = {}): Promise<GithubDouble> {
  const options = optionsSchema.parse(input);
  const keys = generateAppKeyPair();
  const root = await mkdtemp(join(tmpdir(), "gh-double-"));
  const now = () => Date.now();
  let tokenTtl = options.tokenTtlMs;
  let webhookUrl = options.webhookUrl;
  const botId = options.app.id + 100_000_000;
  const state = new GithubState({
    id: options.app.id,
    slug: options.app.slug,
    name: options.app.slug,
    clientId: options.app.clientId,
    clientSecret: options.app.clientSecret,
    permissions: options.app.permissions,
    events: [
      "installation",
      "installation_repositories",
      "issues",
      "issue_comment",
      "pull_request_review_comment",
    ],
    bot: { id: botId, login: `${options.app.slug}[bot]`, name: null, email: null, type: "Bot" },
  });
  for (const u of options.users) state.users.set(u.login.toLowerCase(), u);
  for (const r of options.repos) {
    const gitDir = await createBareRepo(root, r.owner, r.name, r.defaultBranch, r.files);
    state.repos.set(`${r.owner}/${r.name}`.toLowerCase(), {
      id: r.id ?? state.newId(),
      owner: r.owner,
      name: r.name,
      private: r.private,
      defaultBranch: r.defaultBranch,
      gitDir,
      collaborators: new Map(Object.entries(r.collaborators).map(([k, v]) => [k.toLowerCase(), v])),
      issues: new Map(),
      pulls: new Map(),
      nextNumber: 1,
    });
  }
  for (const i of options.installations) {
    const ids =
      i.repos === "all"
        ? ("all" as const)
        : i.repos.map((full) => {
            const [o = "", n = ""] = full.split("/");
            const repo = state.repo(o, n);
            if (!repo) throw new Error(`GitHub double: installation ${i.id} lists unknown repo '${full}'`);
            return repo.id;
          });
    state.installations.set(i.id, { id: i.id, account: i.account, repositoryIds: ids, suspended: false });
  }
  const tokens: Tokens = new InstallationTokens(state, () => tokenTtl);
  const userTokens = new Map<string, string>();
  const oauth = new OAuthFlow(state, userTokens, now);
  const gitAccess: GitAccessRecord[] = [];
  const requests: GithubDouble["requests"] = [];
  let urls = { web: "", api: "" };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://double.invalid");
    requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      auth: authKind(req.headers.authorization),
    });
    const fail = (error: unknown) => {
      if (res.headersSent) return void res.end();
      sendError(
        res,
        error instanceof GithubApiError ? error : new GithubApiError(500, `double error: ${String(error)}`),
      );
    };
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") return oauth.authorize(url, res);
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token")
      return void oauth.accessToken(req, res).catch(fail);
    if (url.pathname.startsWith("/api/v3/")) {
      const deps = { state, tokens, userTokens, publicKey: keys.publicKey, now, urls };
      return void handleRest(req, res, url, url.pathname.slice("/api/v3".length), deps).catch(fail);
    }
    // Inspection routes for tests that cannot hold the double's object (code running inside workerd).
    if (req.method === "GET" && url.pathname === "/_double/token-mints")
      return sendJson(res, 200, tokens.mints);
    if (req.method === "GET" && url.pathname === "/_double/git-access") return sendJson(res, 200, gitAccess);
    if (isGitRequest(url.pathname))
      return handleGit(req, res, url, { state, tokens, root, now, log: gitAccess });
    fail(new GithubApiError(404, "Not Found"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("GitHub double has no TCP address");
  const base = `http://127.0.0.1:${address.port}`;
  urls = { web: base, api: `${base}/api/v3` };

  const mustRepo = (owner: string, name: string) => {
    const repo = state.repo(owner, name);
    if (!repo) throw new Error(`GitHub double: no repository ${owner}/${name}`);
    return repo;
  };
  const mustUser = (login: string) => {
    const user = state.user(login);
    if (!user) throw new Error(`GitHub double: no fixture user '${login}'`);
    return user;
  };
  const mustIssue = (owner: string, name: string, number: number) => {
    const issue = mustRepo(owner, name).issues.get(number);
    if (!issue) throw new Error(`GitHub double: no issue #${number} in ${owner}/${name}`);
    return issue;
  };
  const deliver: GithubDouble["deliver"] = (event, payload, opts = {}) => {
    if (!webhookUrl) throw new Error("GitHub double: no webhook URL; call setWebhookUrl first");
    return sendWebhook({
      url: webhookUrl,
      secret: options.app.webhookSecret,
      event,
      payload,
      appId: options.app.id,
      ...opts,
    });
  };
  const addComment: GithubDouble["addComment"] = (owner, name, number, c) => {
    const comment = {
      id: state.newId(),
      body: c.body,
      user: mustUser(c.author),
      createdAt: new Date().toISOString(),
    };
    mustIssue(owner, name, number).comments.push(comment);
    return comment;
  };

  return {
    url: base,
    apiUrl: urls.api,
    app: { ...options.app, privateKeyPem: keys.privateKeyPem },
    state,
    tokenMints: tokens.mints,
    gitAccess,
    requests,
    repoId: (owner, name) => mustRepo(owner, name).id,
    issueUserToken: (login) => oauth.issueToken(login),
    createIssue(owner, name, issue) {
      const repo = mustRepo(owner, name);
      const number = repo.nextNumber++;
      repo.issues.set(number, {
        number,
        title: issue.title,
        body: issue.body ?? "",
        user: mustUser(issue.author),
        state: "open",
        labels: [],
        comments: [],
      });
      return number;
    },
    addComment,
    comments: (owner, name, number) => [...mustIssue(owner, name, number).comments],
    pulls: (owner, name) => [...mustRepo(owner, name).pulls.values()],
    branchHead: (owner, name, branch) => branchHead(mustRepo(owner, name).gitDir, branch),
    commitSubjects: (owner, name, branch) => commitSubjects(mustRepo(owner, name).gitDir, branch),
    readFile: (owner, name, branch, path) => readFileAt(mustRepo(owner, name).gitDir, branch, path),
    setWebhookUrl(url) {
      webhookUrl = z.string().url().parse(url);
    },
    labelIssue(owner, name, number, label, by) {
      const repo = mustRepo(owner, name);
      const issue = mustIssue(owner, name, number);
      if (!issue.labels.includes(label)) issue.labels.push(label);
      return deliver("issues", issuesLabeledPayload(state, repo, issue, label, mustUser(by), urls));
    },
    commentWithWebhook(owner, name, number, c) {
      const comment = addComment(owner, name, number, c);
      const repo = mustRepo(owner, name);
      return deliver(
        "issue_comment",
        issueCommentPayload(state, repo, mustIssue(owner, name, number), comment, urls),
      );
    },
    deliver,
    expireInstallationTokens: () => tokens.expireAll(now()),
    setTokenTtl(ms) {
      tokenTtl = z.number().int().positive().parse(ms);
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await rm(root, { recursive: true, force: true });
    },
  };
}

export { randomUUID as newDeliveryId };
