/**
 * The host's options: defaults settled once, here, and validated with zod so a bad flag or
 * environment fails at start with a message that names it. Used by the CLI (flags and env)
 * and by `startSandboxHost` (tests, the dev orchestrator).
 */

import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EgressHostPattern, SANDBOX_HOST_MAX_SKEW_S, unsafeEnvNameReason } from "@nightshift/protocol";
import { z } from "zod";
import { DEFAULT_EGRESS_ALLOW } from "./egress/default-allow";

/**
 * Host variables forwarded to every sandbox when set: none. Model keys and endpoints stay with the
 * control plane, whose model gateway the agents call (through the runtime's relay); an operator
 * who wants a sandbox to hold a key anyway names it in passEnv (and so opens its endpoint).
 */
export const DEFAULT_PASS_ENV: readonly string[] = [];

/** src/ and dist/ sit side by side in the package, so this resolves the same from both. */
export const DEFAULT_RUNTIME_PATH = fileURLToPath(
  new URL("../../sandbox-runtime/dist/runtime.mjs", import.meta.url),
);

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
  .superRefine((name, ctx) => {
    const reason = unsafeEnvNameReason(name);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  });
const absolute = (what: string) =>
  z.string().refine((p) => p.startsWith("/"), `${what} must be an absolute path`);

export const HostOptions = z
  .object({
    /**
     * What this host serves. "server" (the default) insists on bubblewrap and refuses local
     * repositories; "local" (a developer's machine, `make dev`) serves --repos-root and falls back,
     * loudly, to plain processes when bubblewrap does not work.
     */
    mode: z.enum(["local", "server"]).default("server"),
    /** Shared HMAC secret with the control plane (NIGHTSHIFT_HOST_SECRET). */
    secret: z.string().min(16, "NIGHTSHIFT_HOST_SECRET must be at least 16 characters"),
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).default(8788),
    /** Root of the local repositories a `{kind:"local"}` repo may name; none: local repos are refused. */
    reposRoot: absolute("--repos-root").optional(),
    dataDir: absolute("--data-dir").default(join(tmpdir(), "nightshift-sandboxes")),
    runtimePath: absolute("--runtime").default(DEFAULT_RUNTIME_PATH),
    nodePath: absolute("--node").default(process.execPath),
    /** Extra host variables forwarded to sandboxes, on top of DEFAULT_PASS_ENV. */
    passEnv: z.array(envName).default([]),
    /** Keep sandbox directories after the sandbox ends (debugging). */
    keep: z.boolean().default(false),
    isolation: z.enum(["auto", "bubblewrap", "process"]).default("auto"),
    /**
     * Run sandboxes as this uid (with its own gid) when the host runs as root; 0 keeps them as
     * root. Unset: a root host picks DEFAULT_SANDBOX_UID when it can (see sandbox-uid.ts).
     */
    sandboxUid: z.number().int().nonnegative().optional(),
    /** Extra read-only paths bound into bubblewrap sandboxes (agent CLIs installed elsewhere). */
    roBinds: z.array(absolute("--ro-bind")).default([]),
    /** Hosts every isolated sandbox may reach (on top of what its session needs and its tenant's list). */
    egressAllow: z.array(EgressHostPattern).default([...DEFAULT_EGRESS_ALLOW]),
    maxSandboxes: z.number().int().positive().default(20),
    /** The snapshot store's size (warm starts; under <dataDir>/snapshots), oldest removed first. */
    snapshotMaxBytes: z
      .number()
      .int()
      .positive()
      .default(5 * 1024 ** 3),
    killGraceMs: z.number().int().nonnegative().default(5000),
    maxSkewS: z.number().int().positive().default(SANDBOX_HOST_MAX_SKEW_S),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
  })
  .superRefine((options, ctx) => {
    if (options.mode === "local") return;
    if (options.isolation === "process") {
      ctx.addIssue({
        code: "custom",
        path: ["isolation"],
        message:
          "--isolation process runs sandboxes without any isolation and is allowed only with --mode local (a developer's machine)",
      });
    }
    if (options.reposRoot !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["reposRoot"],
        message: "--repos-root serves a developer's local repositories and is allowed only with --mode local",
      });
    }
  });
export type HostOptionsInput = z.input<typeof HostOptions>;
export type HostConfig = z.output<typeof HostOptions>;

export function parseHostOptions(
  input: unknown,
): { ok: true; config: HostConfig } | { ok: false; problems: string[] } {
  const parsed = HostOptions.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      return `${where}${issue.message}`;
    }),
  };
}
