/**
 * What a verified GitHub delivery asks Nightshift to do, decided without I/O: an installation
 * sync, a session for a labelled issue, a follow-up from an @mention on a pull request, or
 * nothing (with the reason, for the log). Payloads are read with zod, taking only the fields
 * used, so GitHub adding fields never breaks ingress and a malformed one is a clear 400.
 */
import { z } from "zod";

const Account = z.looseObject({ login: z.string().min(1).max(100) });
const User = z.looseObject({
  id: z.number().int().positive(),
  login: z.string().min(1).max(100),
  type: z.string().max(40).optional(),
});
const Repository = z.looseObject({
  id: z.number().int().positive(),
  name: z.string().min(1).max(100),
  owner: Account,
  default_branch: z.string().max(250).optional(),
});
const Installation = z.looseObject({ id: z.number().int().positive() });
const BriefRepo = z.looseObject({
  id: z.number().int().positive(),
  name: z.string().min(1).max(100),
  full_name: z.string().min(3).max(201),
});

const IssuesLabeled = z.looseObject({
  action: z.literal("labeled"),
  issue: z.looseObject({
    number: z.number().int().positive(),
    title: z.string().max(1024),
    body: z.string().max(262_144).nullable().optional(),
    pull_request: z.unknown().optional(),
  }),
  label: z.looseObject({ name: z.string().max(100) }).optional(),
  repository: Repository,
  sender: User,
  installation: Installation,
});

const IssueCommentCreated = z.looseObject({
  action: z.literal("created"),
  issue: z.looseObject({
    number: z.number().int().positive(),
    title: z.string().max(1024),
    pull_request: z.unknown().optional(),
  }),
  comment: z.looseObject({ id: z.number().int().positive(), body: z.string().max(262_144), user: User }),
  repository: Repository,
  sender: User,
  installation: Installation,
});

const ReviewCommentCreated = z.looseObject({
  action: z.literal("created"),
  comment: z.looseObject({ id: z.number().int().positive(), body: z.string().max(262_144), user: User }),
  pull_request: z.looseObject({
    number: z.number().int().positive(),
    title: z.string().max(1024),
    head: z.looseObject({ ref: z.string().min(1).max(250) }),
  }),
  repository: Repository,
  sender: User,
  installation: Installation,
});

/** `pull_request` closed: a merge counts for analytics only when the head branch is the repository's own. */
const PullRequestClosed = z.looseObject({
  action: z.literal("closed"),
  pull_request: z.looseObject({
    number: z.number().int().positive(),
    merged: z.boolean().optional(),
    merged_at: z.string().max(40).nullable().optional(),
    head: z.looseObject({
      ref: z.string().min(1).max(250),
      repo: z.looseObject({ id: z.number().int().positive() }).nullable().optional(),
    }),
  }),
  repository: Repository,
  installation: Installation,
});

const InstallationEvent = z.looseObject({
  action: z.string().max(40),
  installation: Installation.extend({ account: Account }),
  repositories: z.array(BriefRepo).optional(),
});

const InstallationRepositoriesEvent = z.looseObject({
  action: z.enum(["added", "removed"]),
  installation: Installation,
  repositories_added: z.array(BriefRepo).default([]),
  repositories_removed: z.array(BriefRepo).default([]),
});

export interface RepoTarget {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string | null;
}

export interface Sender {
  id: number;
  login: string;
}

/** Where a reply to the person who asked goes: the issue/PR conversation, or a review thread. */
export type ReplyTarget =
  | { kind: "issue"; number: number }
  | { kind: "review"; pull: number; commentId: number };

export type WebhookAction =
  | { kind: "ignore"; reason: string }
  | { kind: "installation.deleted"; installationId: number }
  | {
      kind: "installation.repositories";
      installationId: number;
      added: { id: number; owner: string; name: string }[];
      removedIds: number[];
    }
  | {
      kind: "issue.labeled";
      installationId: number;
      repo: RepoTarget;
      sender: Sender;
      issue: { number: number; title: string; body: string };
    }
  | {
      kind: "mention";
      installationId: number;
      repo: RepoTarget;
      sender: Sender;
      pull: { number: number; title: string; headRef: string | null };
      text: string;
      reply: ReplyTarget;
    }
  | {
      kind: "pull.merged";
      installationId: number;
      repo: RepoTarget;
      number: number;
      headRef: string;
      /** GitHub's merged_at; null when it sent none. */
      mergedAt: string | null;
    };

export class MalformedPayload extends Error {}

function parse<T extends z.ZodType>(schema: T, payload: unknown, event: string): z.infer<T> {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MalformedPayload(
      `the ${event} payload is malformed (${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"})`,
    );
  }
  return result.data;
}

function repoOf(r: z.infer<typeof Repository>): RepoTarget {
  return { id: r.id, owner: r.owner.login, name: r.name, defaultBranch: r.default_branch ?? null };
}

function splitFullName(full: string): { owner: string; name: string } {
  const slash = full.indexOf("/");
  return { owner: full.slice(0, slash), name: full.slice(slash + 1) };
}

/** Bots never drive Nightshift: not the App itself (no loops), not other Apps. */
function isBot(user: z.infer<typeof User>, appSlug: string): boolean {
  return user.type === "Bot" || user.login.toLowerCase() === `${appSlug.toLowerCase()}[bot]`;
}

/** `@slug` as a whole word (not `@slug-other`, not inside an e-mail address). */
export function mentions(body: string, appSlug: string): boolean {
  const slug = appSlug.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\w@.-])@${slug}(?![\\w-]|\\.\\w)`, "i").test(body);
}

/** The request without the mention itself, so the agent reads what was asked. */
export function stripMention(body: string, appSlug: string): string {
  const slug = appSlug.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return body
    .replace(new RegExp(`(^|[^\\w@.-])@${slug}(?![\\w-]|\\.\\w)[,:]?`, "gi"), "$1")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

export function routeWebhook(
  event: string,
  payload: unknown,
  config: { appSlug: string; triggerLabel: string },
): WebhookAction {
  switch (event) {
    case "ping":
      return { kind: "ignore", reason: "ping" };
    case "installation": {
      const p = parse(InstallationEvent, payload, "installation");
      if (p.action === "deleted") return { kind: "installation.deleted", installationId: p.installation.id };
      if (p.action === "created" && p.repositories)
        return {
          kind: "installation.repositories",
          installationId: p.installation.id,
          added: p.repositories.map((r) => ({ id: r.id, ...splitFullName(r.full_name) })),
          removedIds: [],
        };
      return { kind: "ignore", reason: `installation.${p.action} needs nothing` };
    }
    case "installation_repositories": {
      const p = parse(InstallationRepositoriesEvent, payload, "installation_repositories");
      return {
        kind: "installation.repositories",
        installationId: p.installation.id,
        added: p.repositories_added.map((r) => ({ id: r.id, ...splitFullName(r.full_name) })),
        removedIds: p.repositories_removed.map((r) => r.id),
      };
    }
    case "issues": {
      const action = (payload as { action?: unknown } | null)?.action;
      if (action !== "labeled")
        return { kind: "ignore", reason: `issues.${String(action)} is not a trigger` };
      const p = parse(IssuesLabeled, payload, "issues.labeled");
      if (p.label?.name.toLowerCase() !== config.triggerLabel.toLowerCase())
        return { kind: "ignore", reason: `label '${p.label?.name ?? ""}' is not the trigger label` };
      if (p.issue.pull_request !== undefined)
        return { kind: "ignore", reason: "labels on pull requests do not start sessions" };
      if (isBot(p.sender, config.appSlug)) return { kind: "ignore", reason: "labelled by a bot" };
      return {
        kind: "issue.labeled",
        installationId: p.installation.id,
        repo: repoOf(p.repository),
        sender: { id: p.sender.id, login: p.sender.login },
        issue: { number: p.issue.number, title: p.issue.title, body: p.issue.body ?? "" },
      };
    }
    case "issue_comment": {
      const action = (payload as { action?: unknown } | null)?.action;
      if (action !== "created") return { kind: "ignore", reason: `issue_comment.${String(action)}` };
      const p = parse(IssueCommentCreated, payload, "issue_comment");
      if (isBot(p.comment.user, config.appSlug) || isBot(p.sender, config.appSlug))
        return { kind: "ignore", reason: "comment by a bot" };
      if (!mentions(p.comment.body, config.appSlug)) return { kind: "ignore", reason: "no mention" };
      if (p.issue.pull_request === undefined)
        return { kind: "ignore", reason: "mentions on issues are not triggers; label the issue instead" };
      return {
        kind: "mention",
        installationId: p.installation.id,
        repo: repoOf(p.repository),
        sender: { id: p.sender.id, login: p.sender.login },
        pull: { number: p.issue.number, title: p.issue.title, headRef: null },
        text: stripMention(p.comment.body, config.appSlug),
        reply: { kind: "issue", number: p.issue.number },
      };
    }
    case "pull_request_review_comment": {
      const action = (payload as { action?: unknown } | null)?.action;
      if (action !== "created")
        return { kind: "ignore", reason: `pull_request_review_comment.${String(action)}` };
      const p = parse(ReviewCommentCreated, payload, "pull_request_review_comment");
      if (isBot(p.comment.user, config.appSlug) || isBot(p.sender, config.appSlug))
        return { kind: "ignore", reason: "comment by a bot" };
      if (!mentions(p.comment.body, config.appSlug)) return { kind: "ignore", reason: "no mention" };
      return {
        kind: "mention",
        installationId: p.installation.id,
        repo: repoOf(p.repository),
        sender: { id: p.sender.id, login: p.sender.login },
        pull: {
          number: p.pull_request.number,
          title: p.pull_request.title,
          headRef: p.pull_request.head.ref,
        },
        text: stripMention(p.comment.body, config.appSlug),
        reply: { kind: "review", pull: p.pull_request.number, commentId: p.comment.id },
      };
    }
    case "pull_request": {
      const action = (payload as { action?: unknown } | null)?.action;
      if (action !== "closed") return { kind: "ignore", reason: `pull_request.${String(action)}` };
      const p = parse(PullRequestClosed, payload, "pull_request.closed");
      if (!p.pull_request.merged) return { kind: "ignore", reason: "closed without merging" };
      // A fork can name its branch like a session's: only the repository's own branches are sessions'.
      if (p.pull_request.head.repo?.id !== p.repository.id)
        return { kind: "ignore", reason: "merged from a fork, so no session's branch" };
      return {
        kind: "pull.merged",
        installationId: p.installation.id,
        repo: repoOf(p.repository),
        number: p.pull_request.number,
        headRef: p.pull_request.head.ref,
        mergedAt: p.pull_request.merged_at ?? null,
      };
    }
    default:
      return { kind: "ignore", reason: `event '${event}' is not handled` };
  }
}
