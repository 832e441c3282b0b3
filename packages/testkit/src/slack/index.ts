export {
  mentionEvent,
  type SignedEventOptions,
  sendSlackEvent,
  signedSlackEvent,
  slackSignature,
} from "./event-sender";
export { type SlackDouble, type SlackDoubleOptions, slackDoubleApp, startSlackDouble } from "./slack-double";
export type { Fault, PostedMessage, SlackUserFixture, WorkspaceFixture } from "./state";
export { SlackState } from "./state";
