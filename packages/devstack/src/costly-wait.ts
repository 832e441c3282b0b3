import { waitFor } from "@nightshift/testkit/wait-for";

/**
 * Waiting on a check that costs something each time it runs: it spawns `git` (the GitHub double's
 * readFile, commitSubjects) or asks the Worker over HTTP. testkit's waitFor asks every 10 ms, which
 * for such a check is thousands of processes or requests during one agent turn, taken from the
 * same two cores the agent, the sandbox host and workerd need. This one asks five times a second:
 * at most 200 ms later than the condition became true, against turns that take seconds.
 */
const COSTLY_CHECK_INTERVAL_MS = 200;

export function waitForCostly<T>(
  check: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return waitFor(check, what, timeoutMs, COSTLY_CHECK_INTERVAL_MS);
}
