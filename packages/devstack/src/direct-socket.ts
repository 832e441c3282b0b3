/**
 * The Worker's own socket under `wrangler dev`, for benchmarks that time the Worker rather than
 * the dev server. wrangler serves `--port` from a proxy Worker in a workerd of its own (it holds
 * requests while a reload is under way) and forwards each one over loopback HTTP to a second
 * workerd that runs the Worker on a port it picks at random and does not print. A deployment has
 * no such hop; locally it adds ~3 ms at p50 and ~6 ms at p99 to every request (docs/performance.md,
 * "The floor").
 *
 * Found from outside, as Linux shows it: the TCP sockets that the wrangler process's workerd
 * children listen on (/proc/<pid>/net/tcp, matched by inode to /proc/<pid>/fd), less the proxy's
 * port; of those, the one that answers `probePath` with a 2xx is the Worker's (the others are
 * workerd's inspector and internal sockets). Linux only: elsewhere it throws, and the caller keeps
 * the proxy's URL.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { descendantsOf } from "@nightshift/sandbox-runtime/proc-table";
import type { ManagedProcess } from "./processes";

const LISTEN = "0A";
const LOOPBACK_V4 = "0100007F";

/** Loopback IPv4 ports the process listens on. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // Closed while listed.
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [address, port] = (fields[1] ?? "").split(":");
    if (fields[3] === LISTEN && address === LOOPBACK_V4 && inodes.has(fields[9] ?? "") && port)
      ports.push(Number.parseInt(port, 16));
  }
  return ports;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** `http://127.0.0.1:<port>` of the Worker's own workerd socket behind `wrangler dev`'s proxy. */
export async function workerDirectUrl(
  wrangler: ManagedProcess,
  proxyUrl: string,
  probePath = "/api/v1/health",
): Promise<string> {
  const pid = wrangler.child.pid;
  if (pid === undefined) throw new Error("wrangler has no pid: it is not running");
  const proxyPort = Number(new URL(proxyUrl).port);
  const candidates = descendantsOf(pid)
    .flatMap((child) => {
      try {
        return listeningPorts(child.pid);
      } catch {
        return [];
      }
    })
    .filter((port) => port !== proxyPort);
  for (const port of candidates) {
    const url = `http://127.0.0.1:${port}`;
    if (await answers(`${url}${probePath}`)) return url;
  }
  throw new Error(
    `none of the ${candidates.length} sockets wrangler's workerd processes listen on answers ${probePath}`,
  );
}
