/**
 * The REST calls the control plane makes on a repository, each with an installation token minted
 * for that one repository and only the permission the call needs (least privilege, per call
 * group). Tokens live only in this object's memory for the length of one piece of work.
 */
import { Octokit } from "@octokit/core";
import { z } from "zod";
import { type GithubApp, installationClient } from "./app-client";
import type { GithubAppConfig } from "./app-config";
import { GithubCallError, statusOf } from "./failure";
import type { ReplyTarget } from "./webhook-router";

export { GithubCallError } from "./failure";

type Permissions = Record<string, "read" | "write">;

export interface RepoCoordinates {
  installationId: number;
  repositoryId: number;
  owner: string;
  name: string;
}

const WRITE_ROLES = new Set(["admin", "maintain", "write"]);

const Permission = z.looseObject({ permission: z.string(), role_name: z.string().optional() });
const Pull = z.looseObject({
  number: z.number().int().positive(),
  html_url: z.string(),
  draft: z.boolean().optional(),
  state: z.string(),
  merged_at: z.string().nullable().optional(),
  head: z.looseObject({
    ref: z.string(),
    repo: z.looseObject({ id: z.number().int().positive() }).nullable().optional(),
  }),
  base: z.looseObject({ ref: z.string() }),
});
export type Pull = z.infer<typeof Pull>;
const Comment = z.looseObject({ id: z.number().int().positive(), html_url: z.string().optional() });
const Repo = z.looseObject({ default_branch: z.string() });

export interface DraftPull {
  branch: string;
  base: string;
  title: string;
  body: string;
}

async function call<T extends z.ZodType>(what: string, schema: T, run: () => Promise<{ data: unknown }>) {
  try {
    const res = await run();
    return schema.parse(res.data) as z.infer<T>;
  } catch (error) {
    if (error instanceof z.ZodError) throw new GithubCallError(`${what} (unexpected answer)`, null);
    throw GithubCallError.from(what, error);
  }
}

export class RepoApi {
  private readonly clients = new Map<string, Promise<Octokit>>();

  constructor(
    private readonly app: GithubApp,
    private readonly config: GithubAppConfig,
    readonly repo: RepoCoordinates,
  ) {}

  private client(permissions: Permissions): Promise<Octokit> {
    const key = JSON.stringify(permissions);
    let client = this.clients.get(key);
    if (!client) {
      client = this.mint(permissions);
      this.clients.set(key, client);
      client.catch(() => this.clients.delete(key));
    }
    return client;
  }

  private async mint(permissions: Permissions): Promise<Octokit> {
    try {
      return await installationClient(this.app, this.config.apiUrl, {
        installationId: this.repo.installationId,
        repositoryIds: [this.repo.repositoryId],
        permissions,
      });
    } catch (error) {
      throw GithubCallError.from("installation token", error);
    }
  }

  private get path() {
    return { owner: this.repo.owner, repo: this.repo.name };
  }

  /** True when `login` may push (write, maintain or admin); false for read, triage, none or unknown users. */
  async canWrite(login: string): Promise<boolean> {
    const gh = await this.client({ metadata: "read" });
    try {
      const res = await gh.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
        ...this.path,
        username: login,
      });
      const p = Permission.parse(res.data);
      return WRITE_ROLES.has(p.role_name ?? p.permission) || WRITE_ROLES.has(p.permission);
    } catch (error) {
      // 404: not a user or not a collaborator GitHub will tell us about: no write access.
      if (statusOf(error) === 404) return false;
      throw GithubCallError.from("permission check", error);
    }
  }

  async defaultBranch(): Promise<string> {
    const gh = await this.client({ metadata: "read" });
    const repo = await call("repository lookup", Repo, () =>
      gh.request("GET /repos/{owner}/{repo}", this.path),
    );
    return repo.default_branch;
  }

  async comment(issueNumber: number, body: string): Promise<{ id: number }> {
    const gh = await this.client({ issues: "write", pull_requests: "write" });
    return call("issue comment", Comment, () =>
      gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...this.path,
        issue_number: issueNumber,
        body,
      }),
    );
  }

  async replyToReviewComment(pull: number, commentId: number, body: string): Promise<{ id: number }> {
    const gh = await this.client({ pull_requests: "write" });
    return call("review comment reply", Comment, () =>
      gh.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", {
        ...this.path,
        pull_number: pull,
        comment_id: commentId,
        body,
      }),
    );
  }

  async getPull(number: number): Promise<Pull> {
    const gh = await this.client({ pull_requests: "write" });
    return call("pull request lookup", Pull, () =>
      gh.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...this.path, pull_number: number }),
    );
  }

  async findOpenPull(branch: string): Promise<Pull | null> {
    const gh = await this.client({ pull_requests: "write" });
    const pulls = await call("pull request search", z.array(Pull), () =>
      gh.request("GET /repos/{owner}/{repo}/pulls", {
        ...this.path,
        head: `${this.repo.owner}:${branch}`,
        state: "open",
        per_page: 10,
      }),
    );
    return pulls[0] ?? null;
  }

  async createDraftPull(p: DraftPull): Promise<Pull> {
    return this.postDraft(await this.client({ pull_requests: "write" }), p, "pull request creation");
  }

  /** Opens the draft as the user (GitHub shows them as the author), with their own token. */
  async createDraftPullAsUser(userToken: string, p: DraftPull): Promise<Pull> {
    const gh = new Octokit({
      auth: userToken,
      baseUrl: this.config.apiUrl,
      request: { fetch: (i: RequestInfo, o?: RequestInit) => fetch(i, o) },
    });
    return this.postDraft(gh, p, "pull request creation as the user");
  }

  private postDraft(gh: Octokit, p: DraftPull, what: string): Promise<Pull> {
    return call(what, Pull, () =>
      gh.request("POST /repos/{owner}/{repo}/pulls", {
        ...this.path,
        head: p.branch,
        base: p.base,
        title: p.title,
        body: p.body,
        draft: true,
      }),
    );
  }

  async updatePull(number: number, p: { title: string; body: string }): Promise<Pull> {
    const gh = await this.client({ pull_requests: "write" });
    return call("pull request update", Pull, () =>
      gh.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
        ...this.path,
        pull_number: number,
        title: p.title,
        body: p.body,
      }),
    );
  }
}

/** Answers where a request was made: on the issue or PR conversation, or in its review thread. */
export async function replyOn(
  api: Pick<RepoApi, "comment" | "replyToReviewComment">,
  target: ReplyTarget,
  body: string,
): Promise<void> {
  if (target.kind === "issue") await api.comment(target.number, body);
  else await api.replyToReviewComment(target.pull, target.commentId, body);
}
