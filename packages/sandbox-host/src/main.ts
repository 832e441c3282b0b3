/**
 * The daemon's entry point (`node dist/main.mjs`): flags and env → startSandboxHost; stops
 * every sandbox and exits on SIGINT/SIGTERM.
 */
import { resolve } from "node:path";
import { parseCli, USAGE } from "./cli-options";
import { createHostLogger } from "./log";
import { startSandboxHost } from "./server";

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (cli.kind === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cli.kind === "error") {
    process.stderr.write(`nightshift-sandbox-host: ${cli.message}\n`);
    return 2;
  }
  const options = cli.options;
  // Relative paths are taken from the working directory, like any command-line tool.
  for (const key of ["reposRoot", "dataDir", "runtimePath", "nodePath"] as const) {
    const value = options[key];
    if (typeof value === "string") options[key] = resolve(value);
  }
  options.roBinds = options.roBinds?.map((p) => resolve(p));
  const log = createHostLogger();
  let host: Awaited<ReturnType<typeof startSandboxHost>>;
  try {
    host = await startSandboxHost({ ...options, log });
  } catch (err) {
    process.stderr.write(`nightshift-sandbox-host: ${(err as Error).message}\n`);
    return 2;
  }
  process.stdout.write(
    `nightshift sandbox host listening on ${host.url} (mode: ${host.config.mode}; isolation: ${host.isolation}; network: ${host.manager.network === "isolated" ? "isolated (egress proxy)" : "shared, NOT isolated"})\n`,
  );
  return new Promise((done) => {
    const stop = (signal: string) => {
      log.info("host.signal", { signal });
      void host.close().then(() => done(0));
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`nightshift-sandbox-host: unexpected failure: ${String(err)}\n`);
    process.exit(70);
  },
);
