/**
 * The agent layer's entry for the runtime's main loop: the turn runner. Adapters implement the
 * port in ./adapter.ts and register in ./registry.ts; the request and result types are in ./contract.ts.
 */
export { createTurnRunner } from "./turn-runner";
