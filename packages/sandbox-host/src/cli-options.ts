/**
 * Command-line flags and environment → host options. Flags win over the environment; the
 * shared secret comes only from the environment (never a flag: argv is visible to every user).
 */
import { parseArgs } from "node:util";
import type { HostOptionsInput } from "./config";

export const USAGE = `nightshift-sandbox-host: runs Nightshift sandboxes on this machine (HMAC-signed API on loopback)

usage: NIGHTSHIFT_HOST_SECRET=... nightshift-sandbox-host [flags]

  --mode <mode>          server (default: bubblewrap required, no local repositories) | local
                         (a developer's machine: --repos-root, loud fallback without bwrap)
                         (env NIGHTSHIFT_MODE)
  --host <addr>          listen address (default 127.0.0.1)
  --port <n>             listen port (default 8788; env NIGHTSHIFT_HOST_PORT)
  --repos-root <dir>     local repositories a session may use (env NIGHTSHIFT_REPOS_ROOT)
  --data-dir <dir>       where sandbox directories live (env NIGHTSHIFT_SANDBOX_DATA_DIR)
  --runtime <file>       the runtime bundle (default ../sandbox-runtime/dist/runtime.mjs)
  --node <file>          Node binary for sandboxes (default: this Node)
  --pass-env <NAME>      forward this host variable to sandboxes, repeatable (env NIGHTSHIFT_PASS_ENV=A,B)
  --isolation <mode>     auto | bubblewrap | process (default auto)
  --sandbox-uid <uid>    as root: run sandboxes as this uid (see README)
  --ro-bind <dir>        extra read-only directory inside bubblewrap sandboxes, repeatable
  --egress-allow <host>  hosts every sandbox may reach, repeatable (registry.npmjs.org, *.example.com:8443);
                         replaces the default package registries; "none" for none (env NIGHTSHIFT_EGRESS_ALLOW=a,b)
  --max-sandboxes <n>    concurrent sandboxes (default 20)
  --snapshot-max-bytes <n>  size of the warm-start snapshot store under <data-dir>/snapshots (default 5 GiB)
  --kill-grace-ms <ms>   time between SIGTERM and SIGKILL on terminate (default 5000)
  --keep                 keep sandbox directories after they end (debugging)
  --help                 this text
`;

export type CliResult =
  | { kind: "help" }
  | { kind: "options"; options: HostOptionsInput }
  | { kind: "error"; message: string };

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${flag} must be a whole number`);
  return n;
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliResult {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    return { kind: "error", message: `${(err as Error).message}; see --help` };
  }
  if (values.help) return { kind: "help" };
  const secret = env.NIGHTSHIFT_HOST_SECRET;
  if (!secret) {
    return {
      kind: "error",
      message:
        "NIGHTSHIFT_HOST_SECRET is not set: export the secret the control plane signs its requests with (the same value as its SANDBOX_HOST_SECRET)",
    };
  }
  try {
    const passEnv = [
      ...(env.NIGHTSHIFT_PASS_ENV ?? "").split(",").map((n) => n.trim()),
      ...(values["pass-env"] ?? []).flatMap((n) => n.split(",")),
    ].filter((n) => n.length > 0);
    const options: HostOptionsInput = {
      secret,
      ...((values.mode ?? env.NIGHTSHIFT_MODE)
        ? { mode: (values.mode ?? env.NIGHTSHIFT_MODE) as HostOptionsInput["mode"] }
        : {}),
      ...(values.host ? { host: values.host } : {}),
      ...((values.port ?? env.NIGHTSHIFT_HOST_PORT)
        ? { port: integer(values.port ?? env.NIGHTSHIFT_HOST_PORT, "--port") }
        : {}),
      ...((values["repos-root"] ?? env.NIGHTSHIFT_REPOS_ROOT)
        ? { reposRoot: values["repos-root"] ?? env.NIGHTSHIFT_REPOS_ROOT }
        : {}),
      ...((values["data-dir"] ?? env.NIGHTSHIFT_SANDBOX_DATA_DIR)
        ? { dataDir: values["data-dir"] ?? env.NIGHTSHIFT_SANDBOX_DATA_DIR }
        : {}),
      ...(values.runtime ? { runtimePath: values.runtime } : {}),
      ...(values.node ? { nodePath: values.node } : {}),
      passEnv,
      keep: values.keep ?? false,
      ...(values.isolation ? { isolation: values.isolation as HostOptionsInput["isolation"] } : {}),
      ...(values["sandbox-uid"] ? { sandboxUid: integer(values["sandbox-uid"], "--sandbox-uid") } : {}),
      roBinds: values["ro-bind"] ?? [],
      ...egressAllow(values["egress-allow"], env.NIGHTSHIFT_EGRESS_ALLOW),
      ...(values["max-sandboxes"]
        ? { maxSandboxes: integer(values["max-sandboxes"], "--max-sandboxes") }
        : {}),
      ...(values["kill-grace-ms"]
        ? { killGraceMs: integer(values["kill-grace-ms"], "--kill-grace-ms") }
        : {}),
      ...(values["snapshot-max-bytes"]
        ? { snapshotMaxBytes: integer(values["snapshot-max-bytes"], "--snapshot-max-bytes") }
        : {}),
    };
    return { kind: "options", options };
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  }
}

/** --egress-allow (repeatable, comma-separated) over NIGHTSHIFT_EGRESS_ALLOW; "none" empties the list. */
function egressAllow(flags: string[] | undefined, fromEnv: string | undefined): { egressAllow?: string[] } {
  const given = flags ?? (fromEnv === undefined ? undefined : [fromEnv]);
  if (given === undefined) return {};
  const hosts = given.flatMap((value) => value.split(",")).map((host) => host.trim());
  return { egressAllow: hosts.filter((host) => host.length > 0 && host !== "none") };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      mode: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      "repos-root": { type: "string" },
      "data-dir": { type: "string" },
      runtime: { type: "string" },
      node: { type: "string" },
      "pass-env": { type: "string", multiple: true },
      isolation: { type: "string" },
      "sandbox-uid": { type: "string" },
      "ro-bind": { type: "string", multiple: true },
      "egress-allow": { type: "string", multiple: true },
      "max-sandboxes": { type: "string" },
      "kill-grace-ms": { type: "string" },
      "snapshot-max-bytes": { type: "string" },
      keep: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
}
