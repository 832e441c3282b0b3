/** Runs one command: its exit code, or the failure printed for a person with the code scripts rely on. */
import pc from "picocolors";
import { describeFailure, exitCodeFor } from "./exit-codes.ts";
import { INTERRUPTED_EXIT, wasInterrupted } from "./interrupt.ts";

export type Runner = (work: () => Promise<number>) => Promise<void>;

export const runCommand: Runner = async (work) => {
  try {
    const code = await work();
    process.exitCode = wasInterrupted() ? INTERRUPTED_EXIT : code;
  } catch (error) {
    process.stderr.write(`${pc.red("nightshift:")} ${describeFailure(error)}\n`);
    process.exitCode = exitCodeFor(error);
  }
};
