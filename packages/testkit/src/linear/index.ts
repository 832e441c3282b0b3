/** The Linear double (`@nightshift/testkit/linear`): the API and OAuth, and a signed webhook sender. */
export { createLinearDouble, type Failure, type LinearDouble, startLinearDouble } from "./linear-double";
export type { ActivityRecord, LinearDoubleOptions, Recorded, WorkflowState } from "./linear-state";
export { LinearState } from "./linear-state";
export { linearDelivery, sendLinearWebhook, signLinear } from "./webhook-sender";
