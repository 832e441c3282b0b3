/**
 * What the GitHub double knows: the App, users, repositories (with collaborators, issues, pull
 * requests and comments) and installations. Plain data plus lookups; the HTTP layer and the git
 * layer read and change it. Issues and pulls share one number sequence per repository, as on GitHub.
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

export interface IssueComment {
  id: number;
  body: string;
  user: GithubUser;
  createdAt: string;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  user: GithubUser;
  state: "open" | "closed";
  labels: string[];
  comments: IssueComment[];
}

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
  issues: Map<number, Issue>;
  pulls: Map<number, PullRequest>;
  nextNumber: number;
}

export interface Installation {
  id: number;
  account: string;
  /** Repository ids granted; "all" when the owner picked "All repositories". */
  repositoryIds: number[] | "all";
  suspended: boolean;
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

export class GithubState {
  readonly users = new Map<string, GithubUser>();
  readonly repos = new Map<string, Repository>();
  readonly installations = new Map<number, Installation>();
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

  repo(owner: string, name: string): Repository | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repoById(id: number): Repository | undefined {
    for (const repo of this.repos.values()) if (repo.id === id) return repo;
    return undefined;
  }

  /** The installation covering a repository (its owner's installation, if the repo is granted). */
  installationFor(repo: Repository): Installation | undefined {
    for (const inst of this.installations.values()) {
      if (inst.account.toLowerCase() !== repo.owner.toLowerCase()) continue;
      if (inst.repositoryIds === "all" || inst.repositoryIds.includes(repo.id)) return inst;
    }
    return undefined;
  }

  installationRepos(inst: Installation): Repository[] {
    return [...this.repos.values()].filter(
      (r) =>
        r.owner.toLowerCase() === inst.account.toLowerCase() &&
        (inst.repositoryIds === "all" || inst.repositoryIds.includes(r.id)),
    );
  }

  /** GitHub's collaborator permission: the owner is admin, listed users their role, others none. */
  roleOf(repo: Repository, login: string): CollaboratorRole {
    if (login.toLowerCase() === repo.owner.toLowerCase()) return "admin";
    return repo.collaborators.get(login.toLowerCase()) ?? "none";
  }
}

export function canWrite(role: CollaboratorRole): boolean {
  return role === "admin" || role === "maintain" || role === "write";
}
