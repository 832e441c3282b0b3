/**
 * `startSandboxHost`: validates the options, picks the isolation (bubblewrap when its
 * self-test passes, else the labelled plain-process fallback), and serves the API. `close()`
 * stops the server and terminates every sandbox. Used by the CLI, tests and the dev stack.
 */
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { ReplayGuard } from "./auth/replay-guard";
import { type HostConfig, type HostOptionsInput, parseHostOptions } from "./config";
import type { Lookup } from "./egress/resolve-target";
import { createHostApp } from "./http/app";
import { createHostLogger, type HostLogger } from "./log";
import { type SelfTest, selfTestBubblewrap } from "./sandbox/bubblewrap";
import { type Isolation, SandboxManager } from "./sandbox/sandbox-manager";
import { chooseSandboxUid } from "./sandbox/sandbox-uid";

export const HOST_VERSION = "0.1.0";

export interface StartSandboxHostOptions extends HostOptionsInput {
  log?: HostLogger;
  /** Where pass-through variables are read from (default: process.env). */
  hostEnv?: NodeJS.ProcessEnv;
  /** The bubblewrap self-test (default: the real one); tests stand in a failing one. */
  bubblewrapSelfTest?: (uid?: number) => Promise<SelfTest>;
  /** How sandbox egress proxies resolve names (default: the system resolver); tests inject one. */
  egressLookup?: Lookup;
}

export interface RunningSandboxHost {
  url: string;
  isolation: Isolation["kind"];
  config: HostConfig;
  manager: SandboxManager;
  close(): Promise<void>;
}

/** What to do about a bubblewrap that does not work here. */
const INSTALL_BUBBLEWRAP =
  "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04+ kernel.apparmor_restrict_unprivileged_userns=0)";

async function chooseIsolation(
  config: HostConfig,
  log: HostLogger,
  selfTest: (uid?: number) => Promise<SelfTest>,
  /** A passing self-test already run as config.sandboxUid (the default uid's check): not run again. */
  passed: SelfTest | null,
): Promise<Isolation> {
  if (config.isolation === "process") {
    log.warn("isolation.process", {
      warning:
        "sandboxes run as plain processes with NO filesystem or network isolation (--isolation process)",
    });
    return { kind: "process", reason: "configured with --isolation process" };
  }
  const uid = config.sandboxUid || undefined;
  const test = passed ?? (await selfTest(uid));
  if (test.ok) return { kind: "bubblewrap", bwrap: test.bwrap };
  if (config.isolation === "bubblewrap") {
    throw new Error(`--isolation bubblewrap was asked for, but ${test.reason}; ${INSTALL_BUBBLEWRAP}`);
  }
  if (config.mode !== "local") {
    throw new Error(
      `sandboxes need bubblewrap outside local mode, and it does not work here: ${test.reason}. To fix it, ${INSTALL_BUBBLEWRAP}. (On a developer's own machine, --mode local falls back to unisolated processes.)`,
    );
  }
  log.warn("isolation.fallback", {
    reason: test.reason,
    isolation: "process",
    warning: `LOCAL MODE WITHOUT BUBBLEWRAP: sandboxes run as plain processes with NO filesystem or network isolation; to fix it, ${INSTALL_BUBBLEWRAP}`,
  });
  return { kind: "process", reason: test.reason };
}

export async function startSandboxHost(options: StartSandboxHostOptions): Promise<RunningSandboxHost> {
  const {
    log = createHostLogger(),
    hostEnv = process.env,
    bubblewrapSelfTest = selfTestBubblewrap,
    egressLookup,
    ...input
  } = options;
  const parsed = parseHostOptions(input);
  if (!parsed.ok) throw new Error(`invalid sandbox host options: ${parsed.problems.join("; ")}`);
  const config = parsed.config;
  if (config.sandboxUid && process.getuid?.() !== 0) {
    throw new Error("--sandbox-uid needs the host to run as root (it switches uid with setpriv)");
  }
  // Searchable by others (not listable): a sandbox uid must reach its own directories inside.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o711 });
  const uidChoice = chooseSandboxUid({
    requested: config.sandboxUid,
    isRoot: process.getuid?.() === 0,
    dataDir: config.dataDir,
  });
  if (uidChoice.note) log.warn("sandbox.uid", { warning: uidChoice.note });
  let sandboxUid = uidChoice.uid;
  let uidSelfTest: SelfTest | null = null;
  if (sandboxUid !== undefined && !uidChoice.explicit && config.isolation !== "process") {
    const test = await bubblewrapSelfTest(sandboxUid);
    if (test.ok) uidSelfTest = test;
    else {
      log.warn("sandbox.uid", {
        warning: `sandboxes run as root: bubblewrap does not start as uid ${sandboxUid} here (${test.reason}); the agent shares the runtime's uid`,
      });
      sandboxUid = undefined;
    }
  }
  if (sandboxUid === undefined) chmodSync(config.dataDir, 0o700);
  config.sandboxUid = sandboxUid;
  if (!existsSync(config.runtimePath)) {
    log.warn("runtime.missing", {
      path: config.runtimePath,
      fix: "pnpm --filter @nightshift/sandbox-runtime build",
    });
  }
  const isolation = await chooseIsolation(config, log, bubblewrapSelfTest, uidSelfTest);
  const manager = new SandboxManager(config, isolation, log, hostEnv, egressLookup);
  const app = createHostApp({
    manager,
    reposRoot: config.reposRoot,
    secret: config.secret,
    maxSkewS: config.maxSkewS,
    maxBodyBytes: config.maxBodyBytes,
    guard: new ReplayGuard(),
    log,
    version: HOST_VERSION,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  log.info("host.started", {
    url,
    mode: config.mode,
    isolation: isolation.kind,
    network: manager.network === "isolated" ? "isolated (egress proxy)" : "shared (not isolated)",
    dataDir: config.dataDir,
    reposRoot: config.reposRoot ?? null,
  });

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await manager.shutdown();
      // Idle keep-alive connections would hold close() open.
      if ("closeAllConnections" in server) server.closeAllConnections();
      await stopped;
      log.info("host.stopped", {});
    })();
    return closing;
  };
  return { url, isolation: isolation.kind, config, manager, close };
}
