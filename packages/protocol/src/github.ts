/** The tenant's GitHub App connection, as the dashboard reads and changes it (/api/v1/tenants/:id/github). */
import { z } from "zod";

export const GithubRepositorySummary = z.object({
  /** GitHub's repository id (stable across renames). */
  id: z.number().int().positive(),
  owner: z.string(),
  name: z.string(),
});
export type GithubRepositorySummary = z.infer<typeof GithubRepositorySummary>;

export const GithubInstallationSummary = z.object({
  /** GitHub's installation id. */
  id: z.number().int().positive(),
  /** The user or organization the App is installed on. */
  account: z.string(),
  repositories: z.array(GithubRepositorySummary),
  connectedAt: z.string(),
});
export type GithubInstallationSummary = z.infer<typeof GithubInstallationSummary>;

export const GithubConnectionResponse = z.object({
  /** Whether this deployment has a GitHub App at all (docs/github-app.md). */
  configured: z.boolean(),
  appSlug: z.string().nullable(),
  /** The issue label that starts a session, e.g. "agent". */
  triggerLabel: z.string().nullable(),
  /** Where the App's public page is, for "manage on GitHub" links. */
  appUrl: z.string().nullable(),
  installations: z.array(GithubInstallationSummary),
});
export type GithubConnectionResponse = z.infer<typeof GithubConnectionResponse>;

/** POST .../github/connect: where to send the browser to install the App for this tenant. */
export const ConnectGithubResponse = z.object({ url: z.string().url() });
export type ConnectGithubResponse = z.infer<typeof ConnectGithubResponse>;

/** GET /auth/github/setup: GitHub's redirect after an installation (the App's Setup URL). */
export const GithubSetupQuery = z.object({
  /** Absent when an organization owner still has to approve the installation (`setup_action=request`). */
  installation_id: z.coerce.number().int().positive("installation_id must be GitHub's numeric id").optional(),
  setup_action: z.enum(["install", "update", "request"]).optional(),
  state: z.string().min(1).max(4000).optional(),
});
export type GithubSetupQuery = z.infer<typeof GithubSetupQuery>;
