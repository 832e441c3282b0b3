/**
 * The double's "something happened on GitHub" methods: each changes the state the way the
 * GitHub UI would and delivers the signed webhook GitHub sends for it.
 */
import { branchHead } from "./bare-repos";
import type { GithubState, GithubUser, Installation, Issue, PullIssue, Repository } from "./github-state";
import { isoSeconds } from "./http-io";
import {
  addInstallation,
  changeInstallationRepos,
  type InstallationInput,
  mustInstallation,
  removeInstallation,
} from "./installation-actions";
import { installationPayload, installationRepositoriesPayload } from "./installation-payloads";
import type { InstallationTokens } from "./installation-tokens";
import { addReviewComment } from "./issue-actions";
import type { ShapeCtx } from "./rest-shapes";
import { issuesLabeledPayload, reviewCommentPayload } from "./webhook-payloads";
import type { WebhookResult } from "./webhook-sender";

export interface EventDeps {
  state: GithubState;
  tokens: InstallationTokens;
  shapes: () => ShapeCtx;
  now: () => number;
  deliver: (event: string, payload: unknown) => Promise<WebhookResult>;
  mustRepo: (owner: string, name: string) => Repository;
  mustUser: (login: string) => GithubUser;
  mustIssue: (owner: string, name: string, number: number) => Issue;
}

export interface ReviewCommentFixture {
  author: string;
  body: string;
  /** The file to comment on; defaults to the first file the pull request changes. */
  path?: string;
  /** Reply in the thread of this review comment instead of starting a new one. */
  inReplyTo?: number;
}

export function mustPull(deps: EventDeps, owner: string, name: string, number: number): PullIssue {
  const pull = deps.state.pull(deps.mustRepo(owner, name), number);
  if (!pull) throw new Error(`GitHub double: #${number} in ${owner}/${name} is not a pull request`);
  return pull;
}

export function eventMethods(deps: EventDeps) {
  const { state } = deps;
  return {
    /** Labels an issue (or pull request) and delivers `issues.labeled`. */
    labelIssue(
      owner: string,
      name: string,
      number: number,
      label: string,
      by: string,
    ): Promise<WebhookResult> {
      const repo = deps.mustRepo(owner, name);
      const issue = deps.mustIssue(owner, name, number);
      if (!issue.labels.includes(label)) issue.labels.push(label);
      return deps.deliver(
        "issues",
        issuesLabeledPayload(deps.shapes(), repo, issue, label, deps.mustUser(by)),
      );
    },

    /** Comments on a pull request's diff and delivers `pull_request_review_comment.created`. */
    async reviewCommentWithWebhook(
      owner: string,
      name: string,
      number: number,
      c: ReviewCommentFixture,
    ): Promise<WebhookResult & { commentId: number }> {
      const repo = deps.mustRepo(owner, name);
      const pull = mustPull(deps, owner, name, number);
      const { inReplyTo, path } = c;
      const comment = await addReviewComment(
        state,
        repo,
        pull,
        {
          user: deps.mustUser(c.author),
          body: c.body,
          ...(path !== undefined ? { path } : {}),
          ...(inReplyTo !== undefined ? { inReplyTo } : {}),
        },
        isoSeconds(deps.now()),
      );
      const [head, base] = await Promise.all([
        branchHead(repo.gitDir, pull.pull.head),
        branchHead(repo.gitDir, pull.pull.base),
      ]);
      const payload = reviewCommentPayload(deps.shapes(), repo, pull, comment, { head, base });
      const result = await deps.deliver("pull_request_review_comment", payload);
      return { ...result, commentId: comment.id };
    },

    /** Adds an installation without telling anyone (the App being installed while no webhook URL is set). */
    addInstallation(input: InstallationInput): Installation {
      return addInstallation(state, input, isoSeconds(deps.now()));
    },

    /** Delivers `installation.created` for an installation from the options or `addInstallation`. */
    installWithWebhook(installationId: number, by: string): Promise<WebhookResult> {
      const inst = mustInstallation(state, installationId);
      const repos = state.installationRepos(inst);
      return deps.deliver(
        "installation",
        installationPayload(deps.shapes(), inst, "created", repos, deps.mustUser(by)),
      );
    },

    /** Uninstalls the App: removes the installation, revokes its tokens, delivers `installation.deleted`. */
    uninstallWithWebhook(installationId: number, by: string): Promise<WebhookResult> {
      const sender = deps.mustUser(by);
      const { inst, repos } = removeInstallation(state, deps.tokens, installationId);
      return deps.deliver("installation", installationPayload(deps.shapes(), inst, "deleted", repos, sender));
    },

    /**
     * Grants (`add`) or withdraws (`remove`) repositories, given as `owner/name`, and delivers one
     * `installation_repositories` webhook per direction that changed (`added` first).
     */
    async setInstallationRepos(
      installationId: number,
      change: { add?: string[]; remove?: string[] },
      by: string,
    ): Promise<WebhookResult[]> {
      const sender = deps.mustUser(by);
      const { inst, added, removed } = changeInstallationRepos(state, installationId, change);
      const results: WebhookResult[] = [];
      for (const [action, repos] of [
        ["added", added],
        ["removed", removed],
      ] as const) {
        if (repos.length === 0) continue;
        const payload = installationRepositoriesPayload(deps.shapes(), inst, action, repos, sender);
        results.push(await deps.deliver("installation_repositories", payload));
      }
      return results;
    },
  };
}
