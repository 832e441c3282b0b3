/**
 * Reads the runtime's environment with the shared `RuntimeEnv` schema and turns every problem
 * into one line that names the variable (never its value: some of them are secrets). The
 * sandbox host hands the variables over on an inherited pipe rather than as the process's
 * environment (`receiveHandedOffEnvironment`), so they never appear in /proc/<pid>/environ.
 */

import { closeSync, readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { BOOTSTRAP_TOKEN_VARIABLE, RuntimeEnv } from "@nightshift/protocol";
import type { z } from "zod";

export type EnvResult =
  | { ok: true; env: RuntimeEnv; secretValues: string[] }
  | { ok: false; problems: string[] };

const CheckedRuntimeEnv = RuntimeEnv.superRefine((env, ctx) => {
  const url = new URL(env.NIGHTSHIFT_CONTROL_PLANE_URL);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.addIssue({
      code: "custom",
      path: ["NIGHTSHIFT_CONTROL_PLANE_URL"],
      message: "must be an http:// or https:// URL",
    });
  }
  for (const name of ["NIGHTSHIFT_WORKDIR", "NIGHTSHIFT_STATE_DIR"] as const) {
    if (!isAbsolute(env[name]))
      ctx.addIssue({ code: "custom", path: [name], message: "must be an absolute path" });
  }
});

function describeIssue(issue: z.core.$ZodIssue, source: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? "environment");
  if (source[name] === undefined) {
    return `${name} is missing: set it in the sandbox environment (the sandbox provider normally does)`;
  }
  if (issue.code === "invalid_value" && "values" in issue) {
    return `${name} is invalid: expected one of ${issue.values.map(String).join(", ")}`;
  }
  return `${name} is invalid: ${issue.message}`;
}

/**
 * The values to mask in every event: the named secrets that are set, plus the sandbox token itself
 * and the (spent) bootstrap token the sandbox was created with.
 */
export function secretValuesOf(env: RuntimeEnv, source: Record<string, string | undefined>): string[] {
  const names = (env.NIGHTSHIFT_SECRET_NAMES ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const values = [...names, BOOTSTRAP_TOKEN_VARIABLE]
    .map((name) => source[name])
    .filter((value): value is string => !!value);
  return [...new Set([env.NIGHTSHIFT_SANDBOX_TOKEN, ...values])];
}

export function parseRuntimeEnv(source: Record<string, string | undefined>): EnvResult {
  const parsed = CheckedRuntimeEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => describeIssue(issue, source));
    return { ok: false, problems: [...new Set(lines)] };
  }
  return { ok: true, env: parsed.data, secretValues: secretValuesOf(parsed.data, source) };
}

/** Set by the sandbox host in the runtime's own environment: the descriptor the variables arrive on. */
export const ENV_HANDOFF_VARIABLE = "NIGHTSHIFT_ENV_FD";

export type HandOffResult =
  | { ok: true; env: Record<string, string | undefined> }
  | { ok: false; problem: string };

/**
 * The runtime's variables: its process environment, plus (when the host handed them over on the
 * descriptor `NIGHTSHIFT_ENV_FD` names) the JSON object read from that descriptor, which wins.
 * The descriptor is read to its end and closed, so nothing the runtime starts inherits it. The
 * result is a plain object, never written back to `process.env`.
 */
export function receiveHandedOffEnvironment(processEnv: NodeJS.ProcessEnv): HandOffResult {
  const { [ENV_HANDOFF_VARIABLE]: fdText, ...own } = processEnv;
  if (fdText === undefined) return { ok: true, env: own };
  const fd = Number(fdText);
  if (!Number.isInteger(fd) || fd < 3) {
    return {
      ok: false,
      problem: `${ENV_HANDOFF_VARIABLE} is invalid: expected a file descriptor number above 2`,
    };
  }
  let text: string;
  try {
    text = readFileSync(fd, "utf8");
  } catch (err) {
    return {
      ok: false,
      problem: `cannot read the environment the sandbox host handed over on fd ${fd}: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
    };
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Already closed: nothing is left to inherit.
    }
  }
  let handed: unknown;
  try {
    handed = JSON.parse(text);
  } catch {
    handed = null;
  }
  if (
    typeof handed !== "object" ||
    handed === null ||
    Array.isArray(handed) ||
    Object.values(handed).some((value) => typeof value !== "string")
  ) {
    return { ok: false, problem: `the environment handed over on fd ${fd} is not a JSON object of strings` };
  }
  return { ok: true, env: { ...own, ...(handed as Record<string, string>) } };
}
