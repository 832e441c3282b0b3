/**
 * What the GitHub double knows: the App, users, repositories (with collaborators, issues, pull
 * requests and comments) and installations. Plain data plus lookups; the HTTP layer and the git
 * layer read and change it. As on GitHub, a pull request *is* an issue: one record per number,
 * with `pull` set, so both REST families and both webhook families see the same title, state,
 * labels and comments, and issues and pulls draw from one number sequence per repository.
 */
export type PermissionLevel = "read" | "write";
export type CollaboratorRole = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface GithubUser {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  type: "User" | "Bot";
}

/** Who owns repositories and installations: a fixture user, or an organization (any other login). */
export interface Account {
  id: number;
  login: string;
  type: "User" | "Bot" | "Organization";
}

export interface IssueComment {
  id: number;
  body: string;
  user: GithubUser;
  createdAt: string;
}

/** An inline comment on a pull request's diff; replies share the thread root's anchor. */
export interface ReviewComment {
  id: number;
  reviewId: number;
  body: string;
  user: GithubUser;
  path: string;
  diffHunk: string;
  line: number;
  commitId: string;
  /** The thread's first comment, for replies; null for the comment that opened the thread. */
  inReplyToId: number | null;
  createdAt: string;
}

export interface PullDetails {
  head: string;
  base: string;
  draft: boolean;
  reviewComments: ReviewComment[];
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  user: GithubUser;
  state: "open" | "closed";
  labels: string[];
  comments: IssueComment[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Set when this number is a pull request. */
  pull: PullDetails | null;
}

export type PullIssue = Issue & { pull: PullDetails };

/** A pull request as tests read it from `gh.pulls()`. */
export interface PullRequest {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
  user: GithubUser;
  createdAt: string;
  updatedAt: string;
}

export interface Repository {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  /** Absolute path of the bare repository on disk. */
  gitDir: string;
  collaborators: Map<string, CollaboratorRole>;
  /** Issues and pull requests by number. */
  issues: Map<number, Issue>;
  nextNumber: number;
}

export interface Installation {
  id: number;
  account: string;
  /** Repository ids granted; "all" when the owner picked "All repositories". */
  repositoryIds: number[] | "all";
  /** Logins besides the account that can see the installation (members of an organization account). */
  members: string[];
  suspended: boolean;
  createdAt: string;
}

export interface GithubApp {
  id: number;
  slug: string;
  name: string;
  clientId: string;
  clientSecret: string;
  permissions: Record<string, PermissionLevel>;
  events: string[];
  /** The bot user comments and PRs made as the App are attributed to. */
  bot: GithubUser;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class GithubState {
  readonly users = new Map<string, GithubUser>();
  readonly repos = new Map<string, Repository>();
  readonly installations = new Map<number, Installation>();
  private readonly orgIds = new Map<string, number>();
  private nextId = 1000;

  readonly app: GithubApp;

  constructor(app: GithubApp) {
    this.app = app;
    this.users.set(app.bot.login.toLowerCase(), app.bot);
  }

  newId(): number {
    this.nextId += 1;
    return this.nextId;
  }

  user(login: string): GithubUser | undefined {
    return this.users.get(login.toLowerCase());
  }

  /** A fixture user, or else an organization with an id that stays the same for the double's life. */
  account(login: string): Account {
    const user = this.user(login);
    if (user) return { id: user.id, login: user.login, type: user.type };
    const key = login.toLowerCase();
    let id = this.orgIds.get(key);
    if (id === undefined) {
      id = this.newId();
      this.orgIds.set(key, id);
    }
    return { id, login, type: "Organization" };
  }

  repo(owner: string, name: string): Repository | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repoById(id: number): Repository | undefined {
    for (const repo of this.repos.values()) if (repo.id === id) return repo;
    return undefined;
  }

  /** Files a new issue (or, with `pull`, a pull request) under the repository's next number. */
  openIssue(
    repo: Repository,
    fields: { title: string; body: string; user: GithubUser; at: string; pull?: PullDetails },
  ): Issue {
    const issue: Issue = {
      number: repo.nextNumber++,
      title: fields.title,
      body: fields.body,
      user: fields.user,
      state: "open",
      labels: [],
      comments: [],
      createdAt: fields.at,
      updatedAt: fields.at,
      closedAt: null,
      pull: fields.pull ?? null,
    };
    repo.issues.set(issue.number, issue);
    return issue;
  }

  pull(repo: Repository, number: number): PullIssue | undefined {
    const issue = repo.issues.get(number);
    return issue?.pull ? (issue as PullIssue) : undefined;
  }

  pulls(repo: Repository): PullIssue[] {
    return [...repo.issues.values()].filter((i): i is PullIssue => i.pull !== null);
  }

  /** The installation covering a repository (its owner's installation, if the repo is granted). */
  installationFor(repo: Repository): Installation | undefined {
    for (const inst of this.installations.values()) {
      if (!same(inst.account, repo.owner)) continue;
      if (inst.repositoryIds === "all" || inst.repositoryIds.includes(repo.id)) return inst;
    }
    return undefined;
  }

  installationRepos(inst: Installation): Repository[] {
    return [...this.repos.values()].filter(
      (r) =>
        same(r.owner, inst.account) && (inst.repositoryIds === "all" || inst.repositoryIds.includes(r.id)),
    );
  }

  /** Installations a user-to-server token may list: the user's own, or ones naming the user a member. */
  installationsVisibleTo(login: string): Installation[] {
    return [...this.installations.values()]
      .filter((i) => same(i.account, login) || i.members.some((m) => same(m, login)))
      .sort((a, b) => a.id - b.id);
  }

  /** GitHub's collaborator permission: the owner is admin, listed users their role, others none. */
  roleOf(repo: Repository, login: string): CollaboratorRole {
    if (same(login, repo.owner)) return "admin";
    return repo.collaborators.get(login.toLowerCase()) ?? "none";
  }
}

export function canWrite(role: CollaboratorRole): boolean {
  return role === "admin" || role === "maintain" || role === "write";
}

export function pullView(issue: PullIssue): PullRequest {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body,
    head: issue.pull.head,
    base: issue.pull.base,
    draft: issue.pull.draft,
    state: issue.state,
    user: issue.user,
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
  };
}
