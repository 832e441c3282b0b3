/** Public face of @nightshift/sandbox-host: run the daemon in-process. */
export { DEFAULT_PASS_ENV, type HostConfig, type HostOptionsInput } from "./config";
export { createHostLogger, type HostLogger, silentHostLogger } from "./log";
export { NETWORK_WARNING, type SandboxView } from "./sandbox/sandbox-manager";
export {
  HOST_VERSION,
  type RunningSandboxHost,
  type StartSandboxHostOptions,
  startSandboxHost,
} from "./server";
