/**
 * How the runtime's environment reaches it without ever being the environment of the processes
 * that launch it. setpriv and bwrap run outside the sandbox, as the host user; a variable such as
 * LD_PRELOAD in their environment would run a library of the agent's choosing there. So the
 * launcher gets a fixed environment the host owns, and the runtime's variables (the sandbox
 * token, the tenant's secrets) travel as JSON over an inherited pipe: the host writes and closes
 * its end, the runtime reads to the end, closes its copy and keeps the values out of its own
 * process environment. A pipe works the same under setpriv, bwrap and without isolation, and
 * leaves no file behind.
 */
import type { Writable } from "node:stream";

/** bwrap's --info-fd is 3; the hand-off is the next descriptor in every isolation. */
export const ENV_HANDOFF_FD = 4;
/** Tells the runtime which descriptor to read; the only variable of ours in the launcher's environment. */
const ENV_HANDOFF_VARIABLE = "NIGHTSHIFT_ENV_FD";

/**
 * The whole environment of setpriv, bwrap and (without bubblewrap) the runtime process itself:
 * nothing in it comes from a request or from the host's own environment.
 */
export function launcherEnvironment(nodeBinDir: string): Record<string, string> {
  return {
    PATH: `${nodeBinDir}:/usr/local/bin:/usr/bin:/bin`,
    LANG: "C.UTF-8",
    [ENV_HANDOFF_VARIABLE]: String(ENV_HANDOFF_FD),
  };
}

/** Writes the runtime's variables to the hand-off pipe and closes it; a runtime that died early is not an error here. */
export function handOffEnvironment(pipe: Writable, env: Record<string, string>): void {
  pipe.on("error", () => {
    // EPIPE: the runtime exited before reading; its exit is reported through the process.
  });
  pipe.end(JSON.stringify(env));
}
