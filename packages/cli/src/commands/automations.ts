/** `nightshift automations ls`: the tenant's automations, what triggers each and how it is doing. */
import type { Automation } from "@nightshift/protocol";
import type { Command } from "commander";
import { connect, type GlobalOptions } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import type { Runner } from "../runner.ts";

function triggerOf(a: Automation): string {
  return a.trigger.kind === "schedule"
    ? `schedule ${a.trigger.cron} (${a.trigger.timezone})`
    : a.trigger.kind;
}

function stateOf(a: Automation): string {
  if (a.pausedReason) return `paused: ${a.pausedReason}`;
  return a.enabled ? "enabled" : "disabled";
}

export function registerAutomations(program: Command, run: Runner): void {
  program
    .command("automations")
    .description("automations (webhooks and schedules that start sessions)")
    .command("ls")
    .description("list the tenant's automations")
    .option("--json", "print JSON for scripts")
    .action((opts: { json?: boolean }, cmd: Command) =>
      run(async () => {
        const { client } = connect(cmd.optsWithGlobals<GlobalOptions>());
        const { automations } = await client.automations.list();
        if (opts.json) process.stdout.write(`${JSON.stringify(automations)}\n`);
        else if (automations.length === 0) process.stderr.write("no automations\n");
        else
          for (const a of automations)
            process.stdout.write(
              `${a.id}  ${a.name}  ${triggerOf(a)}  ${stateOf(a)}${a.nextRunAt ? `  next ${a.nextRunAt}` : ""}\n`,
            );
        return EXIT.ok;
      }),
    );
}
