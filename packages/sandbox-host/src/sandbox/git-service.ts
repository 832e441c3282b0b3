/**
 * git smart HTTP over a sandbox's mirror, for the control plane's git proxy only: the
 * advertisement (`info/refs`) and one stateless request/response exchange of `upload-pack` or
 * `receive-pack`. git runs as the hardened host git (hardened-git.ts: no system or global config,
 * no hooks, fixed environment) with `--stateless-rpc` on the mirror's path; nothing from the
 * request reaches it but the body and a checked `Git-Protocol` value. `git http-backend` is not
 * used: it takes its instructions from a CGI environment built from the request.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { PassThrough, type Readable, Transform, type Writable } from "node:stream";
import { createGunzip } from "node:zlib";
import { HostError } from "../http/host-error";
import { hardenedGitEnv } from "./hardened-git";

export const GIT_SERVICES = ["git-upload-pack", "git-receive-pack"] as const;
export type GitService = (typeof GIT_SERVICES)[number];

/** A push of a large repository must fit; anything bigger is not a session's work. */
export const MAX_GIT_REQUEST_BYTES = 1024 * 1024 * 1024;
const GIT_TIMEOUT_MS = 10 * 60_000;
/** `version=2`, optionally with more `key[=value]` entries separated by ':' (gitprotocol-http). */
const GIT_PROTOCOL = /^[A-Za-z0-9._-]+(=[A-Za-z0-9._-]+)?(:[A-Za-z0-9._-]+(=[A-Za-z0-9._-]+)?)*$/;

export function isGitService(name: string | undefined): name is GitService {
  return (GIT_SERVICES as readonly string[]).includes(name ?? "");
}

export interface GitServiceCall {
  service: GitService;
  /** The mirror's path on the host. */
  repoPath: string;
  /** true: the `info/refs` advertisement; false: one request/response exchange with `body`. */
  advertise: boolean;
  body: Readable | null;
  /** The request's `Git-Protocol` header (e.g. `version=2`), passed on only when well-formed. */
  gitProtocol: string | undefined;
  /** The request's `Content-Encoding`: git gzips large upload-pack requests. */
  contentEncoding: string | undefined;
}

export interface GitServiceAnswer {
  contentType: string;
  body: Readable;
  /** Resolves when git has exited: ok when it exited 0. */
  done: Promise<{ ok: boolean; stderr: string }>;
}

/** One pkt-line (gitprotocol-common): four hex digits of length, the payload. */
function pktLine(text: string): string {
  return `${(text.length + 4).toString(16).padStart(4, "0")}${text}`;
}

/** Counts the bytes that pass and fails the stream past `limit`. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(new Error(`the request body is larger than ${limit} bytes`));
      else callback(null, chunk);
    },
  });
}

function decodedBody(call: GitServiceCall): Readable {
  const body = call.body ?? new PassThrough().end();
  const encoding = (call.contentEncoding ?? "").trim().toLowerCase();
  const limited = body.pipe(byteLimit(MAX_GIT_REQUEST_BYTES));
  body.on("error", (err) => limited.destroy(err));
  if (encoding === "" || encoding === "identity") return limited;
  if (encoding === "gzip" || encoding === "x-gzip") {
    const gunzip = createGunzip();
    limited.on("error", (err) => gunzip.destroy(err));
    return limited.pipe(gunzip);
  }
  throw new HostError("invalid_request", `Content-Encoding ${encoding.slice(0, 40)} is not supported`);
}

/** Starts git for one smart-HTTP request; 400 for a request git would not understand. */
export function runGitService(call: GitServiceCall): GitServiceAnswer {
  if (call.gitProtocol !== undefined && !GIT_PROTOCOL.test(call.gitProtocol)) {
    throw new HostError("invalid_request", "the Git-Protocol header is malformed");
  }
  const input = call.advertise ? null : decodedBody(call);
  const env = hardenedGitEnv([call.repoPath]);
  if (call.gitProtocol) env.GIT_PROTOCOL = call.gitProtocol;
  const args = [
    call.service.slice("git-".length),
    "--stateless-rpc",
    ...(call.advertise ? ["--advertise-refs"] : []),
    call.repoPath,
  ];
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn("git", args, {
    env,
    cwd: call.repoPath,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), GIT_TIMEOUT_MS);
  timer.unref();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4096);
  });
  // A client that goes away mid-push must not leave git waiting on its input.
  child.stdin.on("error", () => child.kill("SIGKILL"));
  if (input) {
    input.on("error", (err) => {
      stderr += `\n${err.message}`;
      child.kill("SIGKILL");
    });
    input.pipe(child.stdin);
  } else child.stdin.end();
  const done = new Promise<{ ok: boolean; stderr: string }>((resolve) => {
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, stderr: err.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, stderr: stderr.trim() });
    });
  });
  if (!call.advertise) {
    return { contentType: `application/x-${call.service}-result`, body: child.stdout, done };
  }
  // The smart-HTTP preamble git http-backend sends before the advertisement; protocol v2 has none.
  const out = new PassThrough();
  if (!/(^|:)version=2(:|$)/.test(call.gitProtocol ?? "")) {
    out.write(pktLine(`# service=${call.service}\n`));
    out.write("0000");
  }
  child.stdout.pipe(out);
  child.stdout.on("error", (err) => out.destroy(err));
  return { contentType: `application/x-${call.service}-advertisement`, body: out, done };
}
