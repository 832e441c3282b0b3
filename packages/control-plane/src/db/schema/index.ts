export * from "./sessions";
export * from "./tenancy";
