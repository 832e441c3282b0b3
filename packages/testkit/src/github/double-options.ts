/**
 * The GitHub double's fixture options (validated with zod) and the state built from them: users,
 * repositories seeded as real bare git repositories on disk, and installations.
 */
import { z } from "zod";
import { createBareRepo } from "./bare-repos";
import { GithubState } from "./github-state";
import { addInstallation, installationInput } from "./installation-actions";

const role = z.enum(["admin", "maintain", "write", "triage", "read", "none"]);

export const optionsSchema = z.object({
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
  installations: z.array(installationInput).default([]),
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
export type ParsedOptions = z.output<typeof optionsSchema>;

/** The App's bot user id: GitHub gives bots ids of their own, far from the App id. */
export function botIdOf(appId: number): number {
  return appId + 100_000_000;
}

export async function buildState(options: ParsedOptions, root: string, at: string): Promise<GithubState> {
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
    bot: {
      id: botIdOf(options.app.id),
      login: `${options.app.slug}[bot]`,
      name: null,
      email: null,
      type: "Bot",
    },
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
      nextNumber: 1,
    });
  }
  for (const i of options.installations) addInstallation(state, i, at);
  return state;
}
