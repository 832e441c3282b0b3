/** The GitHub double's public face: server, webhook signing, and the types tests assert on. */

export type { GitAccessRecord } from "./git-http";
export { type GithubDouble, type GithubDoubleOptions, startGithubDouble } from "./github-double";
export type { IssueComment, PullRequest } from "./github-state";
export type { MintRequest } from "./installation-tokens";
export { sendWebhook, signWebhookBody, type WebhookDelivery, type WebhookResult } from "./webhook-sender";
