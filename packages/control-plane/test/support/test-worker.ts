/**
 * The test worker's entry (vitest.config.ts `main`): the production Worker and Durable Objects,
 * plus TestSessionAgent, which vitest.config.ts binds as SESSION_AGENT in place of SessionAgent.
 */
export {
  AutomationSchedule,
  default,
  SandboxSlots,
  SessionAgent,
  TenantRateLimiter,
  WarmPool,
} from "../../src/index";
export { TestSessionAgent } from "./test-session-agent";
