/**
 * The two variables the runtime needs before it has its environment: with an isolated network
 * the bootstrap exchange itself must go through the egress forwarder, so the forwarder starts
 * from these (set by the sandbox host) before the exchange and before the rest is parsed.
 */
import { RuntimeEnv } from "@nightshift/protocol";

const EgressSettings = RuntimeEnv.pick({ NIGHTSHIFT_EGRESS_SOCKET: true, NIGHTSHIFT_EGRESS_PORT: true });
export type EgressSettings = ReturnType<typeof EgressSettings.parse>;

export type EgressSettingsResult = { ok: true; settings: EgressSettings } | { ok: false; problem: string };

export function egressSettingsOf(env: Record<string, string | undefined>): EgressSettingsResult {
  const parsed = EgressSettings.safeParse(env);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const names = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
  return {
    ok: false,
    problem: `${names.join(" and ")} ${names.length > 1 ? "are" : "is"} invalid: the sandbox host sets ${names.length > 1 ? "them" : "it"} for an isolated network`,
  };
}
