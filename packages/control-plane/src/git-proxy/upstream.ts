/**
 * Where a proxied git request really goes. GitHub repositories: the App's git host, with the
 * installation token the session DO mints and caches, handed over with the caller (git-caller.ts)
 * and added here as Basic x-access-token:<token>; it never leaves the Worker. Local repositories:
 * the sandbox host's signed git endpoint on the session's mirror. Only git's own headers are passed either way, and an
 * upstream failure becomes a 502 in words, never the upstream's body (which could echo a credential).
 */
import type { RepoRef } from "@nightshift/protocol";
import type { Bindings } from "../env";
import { createSandboxProvider } from "../providers/factory";
import { SandboxProviderError } from "../providers/provider";
import { githubWebUrl } from "../sandbox-auth/git-target";
import type { CredentialResult } from "../session/github-credentials";
import type { GitRequestTarget } from "./git-path";

/** Request headers git sends that the upstream needs; everything else (auth, cookies, hop-by-hop) stays. */
const REQUEST_HEADERS = ["content-type", "accept", "git-protocol", "content-encoding", "user-agent"];
/** Response headers passed back to git. */
const RESPONSE_HEADERS = ["content-type", "cache-control", "expires", "pragma"];

export interface UpstreamCall {
  env: Bindings;
  sessionId: string;
  tenantId: string;
  /** The incarnation the sandbox was created with (local repositories only). */
  incarnation: string;
  /** The installation token's result from the session's DO (GitHub repositories only). */
  credential: CredentialResult | null;
  repo: RepoRef;
  target: GitRequestTarget;
  method: "GET" | "POST";
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
}

export type UpstreamResult =
  | { ok: true; response: Response }
  | { ok: false; status: number; message: string };

export function gitRequestHeaders(source: Headers): Headers {
  const headers = new Headers();
  for (const name of REQUEST_HEADERS) {
    const value = source.get(name);
    if (value) headers.set(name, value);
  }
  return headers;
}

function endpointPath(target: GitRequestTarget): string {
  return target.endpoint === "info/refs" ? `info/refs?service=${target.service}` : target.service;
}

function upstreamName(repo: RepoRef): string {
  return repo.kind === "github" ? `GitHub (${repo.owner}/${repo.name})` : "the sandbox host";
}

async function githubFetch(call: UpstreamCall, repo: Extract<RepoRef, { kind: "github" }>) {
  const minted = call.credential;
  if (!minted) return { ok: false as const, status: 502, message: "no credential for this repository" };
  if (!minted.ok) return { ok: false as const, status: minted.status, message: minted.message };
  const base = githubWebUrl(call.env).replace(/\/+$/, "");
  const url = `${base}/${repo.owner}/${repo.name}.git/${endpointPath(call.target)}`;
  const headers = gitRequestHeaders(call.headers);
  headers.set("authorization", `Basic ${btoa(`x-access-token:${minted.value.token}`)}`);
  const init: RequestInit & { duplex?: "half" } = { method: call.method, headers, redirect: "manual" };
  if (call.body) {
    init.body = call.body;
    init.duplex = "half";
  }
  return { ok: true as const, response: await fetch(url, init) };
}

async function localFetch(call: UpstreamCall) {
  // Local repositories live on the sandbox host: only the local provider serves them.
  const provider = createSandboxProvider(call.env, "local");
  if (!provider.gitUpstream)
    return {
      ok: false as const,
      status: 502,
      message: `the ${provider.name} provider serves no local repositories`,
    };
  const response = await provider.gitUpstream({
    sessionId: call.sessionId,
    incarnation: call.incarnation,
    endpoint: call.target.endpoint === "info/refs" ? "info/refs" : call.target.service,
    ...(call.target.endpoint === "info/refs" ? { service: call.target.service } : {}),
    method: call.method,
    headers: gitRequestHeaders(call.headers),
    body: call.body,
  });
  return { ok: true as const, response };
}

function describeFailure(status: number, repo: RepoRef): string {
  const name = upstreamName(repo);
  if (status === 401 || status === 403)
    return `${name} refused the control plane's credential (HTTP ${status}); the GitHub App may have lost access`;
  if (status === 404) return `${name} does not have this repository (HTTP 404)`;
  return `${name} failed (HTTP ${status})`;
}

/** Calls the upstream; a failure is returned as words for git, the upstream's body is dropped. */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamResult> {
  let result: UpstreamResult;
  try {
    result = call.repo.kind === "github" ? await githubFetch(call, call.repo) : await localFetch(call);
  } catch (err) {
    const detail = err instanceof SandboxProviderError ? `: ${err.message}` : "";
    return { ok: false, status: 502, message: `${upstreamName(call.repo)} could not be reached${detail}` };
  }
  if (!result.ok) return result;
  const upstream = result.response;
  if (upstream.status !== 200) {
    await upstream.body?.cancel();
    return { ok: false, status: 502, message: describeFailure(upstream.status, call.repo) };
  }
  const headers = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  return { ok: true, response: new Response(upstream.body, { status: 200, headers }) };
}
