export * from "./audit";
export * from "./rate-limits";
export * from "./secrets";
export * from "./sessions";
export * from "./tenancy";
