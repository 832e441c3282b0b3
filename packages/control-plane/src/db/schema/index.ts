export * from "./audit";
export * from "./github";
export * from "./model-usage";
export * from "./rate-limits";
export * from "./secrets";
export * from "./sessions";
export * from "./settings";
export * from "./tenancy";
