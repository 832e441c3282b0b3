/**
 * The agent layer's public face: `runTurn` for the runtime's main loop, the adapter port and
 * registry for adding CLIs, and the pieces other runtime modules may reuse.
 */
export type { AgentAdapter, AgentBinary, AgentLaunch, TurnParser, TurnVerdict } from "./adapter";
export { claudeCode } from "./claude-code";
export type { EmitEvent, RunTurn, TurnRequest, TurnResult } from "./contract";
export { type AdapterRegistry, defaultAdapters } from "./registry";
export { createTurnRunner, runTurn, type TurnRunnerOptions } from "./turn-runner";
