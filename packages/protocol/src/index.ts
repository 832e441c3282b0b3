export * from "./api";
export * from "./bridge";
export * from "./client-socket";
export * from "./errors";
export * from "./events";
export * from "./frames";
export * from "./version";
