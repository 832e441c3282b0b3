/**
 * A GitHub double on 127.0.0.1, laid out like GitHub Enterprise Server (web and git at `/`, REST at
 * `/api/v3`): App JWT auth, installation tokens honouring `repository_ids`/`permissions`/expiry,
 * the REST endpoints Nightshift uses, the OAuth flow, git smart HTTP over real bare repositories,
 * and a signed-webhook sender for the events it models. State is inspectable for assertions.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { generateAppKeyPair } from "./app-jwt";
import { branchHead, commitOnBranch, commitSubjects, readFileAt } from "./bare-repos";
import { BrowserPages } from "./browser-pages";
import { type EventDeps, eventMethods, mustPull } from "./double-events";
import { buildState, type GithubDoubleOptions, optionsSchema } from "./double-options";
import { type GitAccessRecord, handleGit, isGitRequest } from "./git-http";
import {
  type IssueComment,
  type PullIssue,
  type PullRequest,
  pullView,
  type ReviewComment,
  type GithubState as State,
} from "./github-state";
import { GithubApiError, isoSeconds, sendError } from "./http-io";
import { handleInspection, isInspection } from "./inspection-routes";
import { InstallationTokens, type MintRequest } from "./installation-tokens";
import { addIssueComment } from "./issue-actions";
import { OAuthFlow } from "./oauth-flow";
import { handleRest } from "./rest-api";
import { issueCommentPayload } from "./webhook-payloads";
import { sendWebhook, type WebhookResult } from "./webhook-sender";

export type { GithubDoubleOptions } from "./double-options";

export interface PullFixture {
  title: string;
  /** The head branch; it must exist (see `pushBranch`). */
  head: string;
  /** Defaults to the repository's default branch. */
  base?: string;
  author: string;
  body?: string;
  draft?: boolean;
}

export interface GithubDouble extends ReturnType<typeof eventMethods> {
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
  /** Every credential the double handed out: installation tokens and users' OAuth tokens. */
  issuedTokens(): string[];
  gitAccess: GitAccessRecord[];
  requests: { method: string; path: string; auth: "app" | "installation" | "user" | "none" }[];
  repoId(owner: string, name: string): number;
  issueUserToken(login: string): string;
  createIssue(owner: string, name: string, issue: { title: string; body?: string; author: string }): number;
  /** Commits `files` on top of `from` (the default branch) as `branch`; returns the new head sha. */
  pushBranch(
    owner: string,
    name: string,
    branch: string,
    files: Record<string, string>,
    opts?: { from?: string; message?: string },
  ): Promise<string>;
  /** Opens a pull request as a user, without going through the REST API; returns its number. */
  openPull(owner: string, name: string, pull: PullFixture): Promise<number>;
  addComment(
    owner: string,
    name: string,
    number: number,
    comment: { author: string; body: string },
  ): IssueComment;
  comments(owner: string, name: string, number: number): IssueComment[];
  reviewComments(owner: string, name: string, number: number): ReviewComment[];
  pulls(owner: string, name: string): PullRequest[];
  branchHead(owner: string, name: string, branch: string): Promise<string | null>;
  commitSubjects(owner: string, name: string, branch: string): Promise<string[]>;
  readFile(owner: string, name: string, branch: string, path: string): Promise<string | null>;
  setWebhookUrl(url: string): void;
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
  /** A browser signed in to GitHub as `login`: the authorize and install pages act for them. */
  signInBrowser(login: string): void;
  /** The App's Setup URL, where the install page sends the browser back. */
  setSetupUrl(url: string): void;
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
  const state = await buildState(options, root, isoSeconds(now()));
  const tokens = new InstallationTokens(state, () => tokenTtl);
  const userTokens = new Map<string, string>();
  const oauth = new OAuthFlow(state, userTokens, now);
  const pages = new BrowserPages(state);
  const gitAccess: GitAccessRecord[] = [];
  const requests: GithubDouble["requests"] = [];
  let urls = { web: "", api: "" };
  const shapes = () => ({ state, urls });

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
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize")
      return oauth.authorize(url, res, pages.signedIn);
    if (req.method === "GET" && pages.isInstallPage(url.pathname)) return pages.installPage(url, res);
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token")
      return void oauth.accessToken(req, res).catch(fail);
    if (url.pathname.startsWith("/api/v3/")) {
      const deps = { state, tokens, userTokens, publicKey: keys.publicKey, now, urls };
      return void handleRest(req, res, url, url.pathname.slice("/api/v3".length), deps).catch(fail);
    }
    if (isInspection(url.pathname))
      return void handleInspection(req, res, url.pathname, { state, tokens, gitAccess, shapes, now }).catch(
        fail,
      );
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
    if (!issue) throw new Error(`GitHub double: no issue or pull request #${number} in ${owner}/${name}`);
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
  const addComment: GithubDouble["addComment"] = (owner, name, number, c) =>
    addIssueComment(state, mustIssue(owner, name, number), mustUser(c.author), c.body, isoSeconds(now()));
  const eventDeps: EventDeps = { state, tokens, shapes, now, deliver, mustRepo, mustUser, mustIssue };

  return {
    ...eventMethods(eventDeps),
    url: base,
    apiUrl: urls.api,
    app: { ...options.app, privateKeyPem: keys.privateKeyPem },
    state,
    tokenMints: tokens.mints,
    issuedTokens: () => [...tokens.issued(), ...userTokens.keys()],
    gitAccess,
    requests,
    repoId: (owner, name) => mustRepo(owner, name).id,
    issueUserToken: (login) => oauth.issueToken(login),
    createIssue(owner, name, issue) {
      const at = isoSeconds(now());
      const user = mustUser(issue.author);
      return state.openIssue(mustRepo(owner, name), { title: issue.title, body: issue.body ?? "", user, at })
        .number;
    },
    pushBranch(owner, name, branch, files, opts = {}) {
      const repo = mustRepo(owner, name);
      const message = opts.message ?? `Update ${branch}`;
      return commitOnBranch(repo.gitDir, opts.from ?? repo.defaultBranch, branch, files, message);
    },
    async openPull(owner, name, p) {
      const repo = mustRepo(owner, name);
      const baseBranch = p.base ?? repo.defaultBranch;
      for (const branch of [p.head, baseBranch])
        if (!(await branchHead(repo.gitDir, branch)))
          throw new Error(`GitHub double: no branch '${branch}' in ${owner}/${name}`);
      const pull = { head: p.head, base: baseBranch, draft: p.draft ?? false, reviewComments: [] };
      const at = isoSeconds(now());
      const user = mustUser(p.author);
      return state.openIssue(repo, { title: p.title, body: p.body ?? "", user, at, pull }).number;
    },
    addComment,
    comments: (owner, name, number) => [...mustIssue(owner, name, number).comments],
    reviewComments: (owner, name, number) => [
      ...mustPull(eventDeps, owner, name, number).pull.reviewComments,
    ],
    pulls: (owner, name) => state.pulls(mustRepo(owner, name)).map((p: PullIssue) => pullView(p)),
    branchHead: (owner, name, branch) => branchHead(mustRepo(owner, name).gitDir, branch),
    commitSubjects: (owner, name, branch) => commitSubjects(mustRepo(owner, name).gitDir, branch),
    readFile: (owner, name, branch, path) => readFileAt(mustRepo(owner, name).gitDir, branch, path),
    signInBrowser(login) {
      pages.signedIn = mustUser(login).login;
    },
    setSetupUrl(url) {
      pages.setupUrl = z.string().url().parse(url);
    },
    setWebhookUrl(url) {
      webhookUrl = z.string().url().parse(url);
    },
    commentWithWebhook(owner, name, number, c) {
      const comment = addComment(owner, name, number, c);
      const issue = mustIssue(owner, name, number);
      return deliver("issue_comment", issueCommentPayload(shapes(), mustRepo(owner, name), issue, comment));
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
