/** The Daytona double: in-process (`createDaytonaApi`, for workerd) or served (`startDaytonaDouble`). */
export {
  createDaytonaApi,
  type DaytonaApi,
  type DaytonaApiOptions,
  type DaytonaFault,
  DEFAULT_RUNTIME_COMMAND,
  type RecordedDaytonaRequest,
} from "./daytona-api";
export { type DaytonaDouble, startDaytonaDouble } from "./daytona-double";
export type { SandboxHostTarget } from "./host-runner";
export type { DaytonaSandbox, DaytonaSandboxState } from "./sandbox-store";
export type { DaytonaSnapshot, DaytonaSnapshotState, SnapshotStore } from "./snapshot-store";
export type { RuntimeFailure } from "./toolbox";
