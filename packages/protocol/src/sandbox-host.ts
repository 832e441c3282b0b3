/**
 * The local sandbox host's HTTP API (packages/sandbox-host), called by the control plane's
 * `local` provider. Every request is HMAC-signed; see `hostSigningString`.
 */
import { z } from "zod";
import { RepoRef } from "./api.ts";

export const SANDBOX_HOST_SIGNATURE_HEADER = "x-nightshift-signature";
export const SANDBOX_HOST_TIMESTAMP_HEADER = "x-nightshift-timestamp";
/** Requests older or newer than this (seconds) are refused as stale. */
export const SANDBOX_HOST_MAX_SKEW_S = 300;

/** The string that is signed: `<unix seconds>.<METHOD>.<path with query>.<raw body>`. */
export function hostSigningString(
  timestamp: string,
  method: string,
  pathWithQuery: string,
  body: string,
): string {
  return `${timestamp}.${method.toUpperCase()}.${pathWithQuery}.${body}`;
}

/** HMAC-SHA256 of the signing string, as `v1=<hex>`; Web Crypto, so it runs in workerd and Node. */
export async function signHostRequest(secret: string, signingString: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(signingString)));
  return `v1=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export const SandboxState = z.enum(["starting", "running", "exited", "terminated", "failed"]);
export type SandboxState = z.infer<typeof SandboxState>;

/**
 * A host a sandbox may reach through the egress proxy: a DNS name (`registry.npmjs.org`), or every
 * subdomain of one (`*.example.com`), with an optional port (`:443` when absent for CONNECT).
 * IP literals are not patterns: loopback, link-local and private ranges are never reachable.
 */
export const EgressHostPattern = z
  .string()
  .max(253)
  .regex(
    /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$/,
    "use a DNS name such as registry.npmjs.org or *.example.com, optionally with :port",
  );
export type EgressHostPattern = z.infer<typeof EgressHostPattern>;

/** How many host patterns a tenant may add (Settings) and a create request may carry. */
export const EGRESS_ALLOW_HOSTS_MAX = 100;

/** What a sandbox's network may reach beyond what the session needs (control plane, model, git host). */
export const EgressPolicy = z.strictObject({
  /** The tenant's own additions (Settings), on top of the deployment's defaults. */
  allowHosts: z.array(EgressHostPattern).max(EGRESS_ALLOW_HOSTS_MAX),
});
export type EgressPolicy = z.infer<typeof EgressPolicy>;

/** A host snapshot's opaque reference: `snap_` and a lowercase ULID (never a path). */
export const SnapshotRef = z.string().regex(/^snap_[0-9a-z]{26}$/, "not a snapshot reference");

export const CreateSandboxRequest = z.strictObject({
  sessionId: z.string().min(1).max(100),
  /** Which incarnation this is; a new create for the same session supersedes the old sandbox. */
  incarnation: z.string().min(1).max(100),
  repo: RepoRef,
  /**
   * The runtime's starting environment: the control plane sends only the bootstrap variables
   * (BootstrapEnv); the runtime exchanges its token for the rest. The host still accepts a
   * whole RuntimeEnv (its own tests and tools run a runtime without a control plane).
   */
  env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string().max(64 * 1024)),
  /**
   * The session branch (not a secret): a local repository's mirror brings only this branch home.
   * Defaults to env.NIGHTSHIFT_BRANCH.
   */
  branch: z.string().min(1).max(255).optional(),
  /** Extra hosts the sandbox may reach; absent: only what the session needs and the host's defaults. */
  egress: EgressPolicy.optional(),
  /** The tenant the sandbox works for: a snapshot taken of it is bound to this tenant and repo. */
  tenantId: z.string().min(1).max(100).optional(),
  /**
   * Seed the workdir from this snapshot (a ref `POST /v1/sandboxes/:id/snapshots` returned). The
   * host refuses, as unknown, a snapshot taken for another tenant or repository; needs tenantId.
   */
  fromSnapshot: SnapshotRef.optional(),
});
export type CreateSandboxRequest = z.infer<typeof CreateSandboxRequest>;

/** `POST /v1/sandboxes/:id/snapshots`: copy the sandbox's workdir (never its state dir) into the store. */
export const TakeSnapshotRequest = z.strictObject({ purpose: z.enum(["warm", "resume"]) });
export type TakeSnapshotRequest = z.infer<typeof TakeSnapshotRequest>;

export const HostSnapshot = z.object({
  ref: SnapshotRef,
  bytes: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type HostSnapshot = z.infer<typeof HostSnapshot>;

export const SandboxInfo = z.object({
  id: z.string(),
  sessionId: z.string(),
  incarnation: z.string(),
  state: SandboxState,
  /** "bubblewrap" when namespaces isolate it, "process" for the labelled no-isolation fallback. */
  isolation: z.enum(["bubblewrap", "process"]),
  /** "shared": the sandbox reaches the host's network (loopback included); "isolated" when egress is proxied. */
  network: z.enum(["shared", "isolated"]).optional(),
  /** Plain-language caveats the session should show (e.g. that the network is not isolated). */
  warnings: z.array(z.string().max(500)).max(10).optional(),
  pid: z.number().int().nullable(),
  exitCode: z.number().int().nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
});
export type SandboxInfo = z.infer<typeof SandboxInfo>;

export const ListSandboxesResponse = z.object({ sandboxes: z.array(SandboxInfo) });

/** A git repository under the sandbox host's repositories root (GET /v1/repositories). */
export const LocalRepository = z.object({
  /** Relative to the root: what a `{kind:"local"}` RepoRef names. */
  path: z.string(),
  defaultBranch: z.string().nullable(),
});
export type LocalRepository = z.infer<typeof LocalRepository>;

export const ListLocalRepositoriesResponse = z.object({ repositories: z.array(LocalRepository) });
export type ListLocalRepositoriesResponse = z.infer<typeof ListLocalRepositoriesResponse>;
