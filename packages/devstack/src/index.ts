export * from "./dev-login";
export * from "./memory";
export * from "./ports";
export * from "./processes";
export * from "./recorded-stack";
export * from "./sandbox-socket";
export * from "./stream-socket";
export * from "./worker";
