/**
 * `startSandboxHost`: validates the options, picks the isolation (bubblewrap when its
 * self-test passes, else the labelled plain-process fallback), and serves the API. `close()`
 * stops the server and terminates every sandbox. Used by the CLI, tests and the dev stack.
 */
import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { ReplayGuard } from "./auth/replay-guard";
import { type HostConfig, type HostOptionsInput, parseHostOptions } from "./config";
import { createHostApp } from "./http/app";
import { createHostLogger, type HostLogger } from "./log";
import { selfTestBubblewrap } from "./sandbox/bubblewrap";
import { type Isolation, SandboxManager } from "./sandbox/sandbox-manager";

export const HOST_VERSION = "0.1.0";

export interface StartSandboxHostOptions extends HostOptionsInput {
  log?: HostLogger;
  /** Where pass-through variables are read from (default: process.env). */
  hostEnv?: NodeJS.ProcessEnv;
}

export interface RunningSandboxHost {
  url: string;
  isolation: Isolation["kind"];
  config: HostConfig;
  manager: SandboxManager;
  close(): Promise<void>;
}

async function chooseIsolation(config: HostConfig, log: HostLogger): Promise<Isolation> {
  if (config.isolation === "process")
    return { kind: "process", reason: "configured with --isolation process" };
  const uid = config.sandboxUid !== undefined && process.getuid?.() === 0 ? config.sandboxUid : undefined;
  const test = await selfTestBubblewrap(uid);
  if (test.ok) return { kind: "bubblewrap", bwrap: test.bwrap };
  if (config.isolation === "bubblewrap") {
    throw new Error(`--isolation bubblewrap was asked for, but ${test.reason}`);
  }
  log.warn("isolation.fallback", { reason: test.reason, isolation: "process" });
  return { kind: "process", reason: test.reason };
}

export async function startSandboxHost(options: StartSandboxHostOptions): Promise<RunningSandboxHost> {
  const { log = createHostLogger(), hostEnv = process.env, ...input } = options;
  const parsed = parseHostOptions(input);
  if (!parsed.ok) throw new Error(`invalid sandbox host options: ${parsed.problems.join("; ")}`);
  const config = parsed.config;
  if (config.sandboxUid !== undefined && process.getuid?.() !== 0) {
    throw new Error("--sandbox-uid needs the host to run as root (it switches uid with setpriv)");
  }
  mkdirSync(config.dataDir, { recursive: true, mode: config.sandboxUid === undefined ? 0o700 : 0o711 });
  if (!existsSync(config.runtimePath)) {
    log.warn("runtime.missing", {
      path: config.runtimePath,
      fix: "pnpm --filter @nightshift/sandbox-runtime build",
    });
  }
  const isolation = await chooseIsolation(config, log);
  const manager = new SandboxManager(config, isolation, log, hostEnv);
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
    isolation: isolation.kind,
    network: "shared (not isolated)",
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
