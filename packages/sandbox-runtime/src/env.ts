/**
 * Reads the runtime's environment with the shared `RuntimeEnv` schema and turns every problem
 * into one line that names the variable (never its value: some of them are secrets).
 */

import { isAbsolute } from "node:path";
import { RuntimeEnv } from "@nightshift/protocol";
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

/** The values to mask in every event: the named secrets that are set, plus the sandbox token itself. */
export function secretValuesOf(env: RuntimeEnv, source: Record<string, string | undefined>): string[] {
  const names = (env.NIGHTSHIFT_SECRET_NAMES ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const values = names.map((name) => source[name]).filter((value): value is string => !!value);
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
