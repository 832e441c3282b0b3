/** `nightshift automations ls`: scheduled and triggered runs, on a control plane that has them. */
import { ApiError } from "@nightshift/client";
import type { Command } from "commander";
import { connect, type GlobalOptions } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import type { Runner } from "../runner.ts";

export function registerAutomations(program: Command, run: Runner): void {
  program
    .command("automations")
    .description("automations (scheduled and triggered sessions)")
    .command("ls")
    .description("list automations")
    .option("--json", "print JSON for scripts")
    .action((opts: { json?: boolean }, cmd: Command) =>
      run(async () => {
        const { client, baseUrl } = connect(cmd.optsWithGlobals<GlobalOptions>());
        try {
          const { automations } = await client.automations.list();
          if (opts.json) process.stdout.write(`${JSON.stringify(automations)}\n`);
          else if (automations.length === 0) process.stderr.write("no automations\n");
          else for (const a of automations) process.stdout.write(`${a.id}  ${a.name ?? ""}\n`);
          return EXIT.ok;
        } catch (error) {
          if (error instanceof ApiError && error.status === 404) {
            throw new CliError(
              EXIT.notFound,
              `automations are not available on this control plane yet (${baseUrl})`,
            );
          }
          throw error;
        }
      }),
    );
}
