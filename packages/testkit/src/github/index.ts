/** The GitHub double's public face: server, webhook signing, and the types tests assert on. */

export type { ReviewCommentFixture } from "./double-events";
export type { GitAccessRecord } from "./git-http";
export {
  type GithubDouble,
  type GithubDoubleOptions,
  type PullFixture,
  startGithubDouble,
} from "./github-double";
export type { Installation, IssueComment, PullRequest, ReviewComment } from "./github-state";
export type { InstallationInput } from "./installation-actions";
export type { MintRequest } from "./installation-tokens";
export { sendWebhook, signWebhookBody, type WebhookDelivery, type WebhookResult } from "./webhook-sender";
