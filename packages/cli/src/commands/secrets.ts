/**
 * `nightshift secrets set|ls|rm`: the tenant's write-only secrets. A value is read from the
 * terminal (hidden) or stdin; `--value` works but warns, since argv is visible to every process
 * on the machine and lands in shell history.
 */
import type { Command } from "commander";
import { connect, type GlobalOptions } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { readValue } from "../io.ts";
import type { Runner } from "../runner.ts";

interface ScopeOptions {
  repo?: string;
}

const scopeOf = (opts: ScopeOptions) => (opts.repo ? { repo: opts.repo } : {});

export function registerSecrets(program: Command, run: Runner): void {
  const secrets = program.command("secrets").description("the tenant's secrets (values are never shown)");

  secrets
    .command("set")
    .description("set a secret; the value is read from the terminal (hidden) or stdin")
    .argument("<name>", "UPPER_SNAKE_CASE, as the sandbox's environment will see it")
    .option("--repo <repo>", "only for this repository: github:<owner>/<name> or local:<path>")
    .option("--admin-only", "only sessions started by an owner or admin receive it")
    .option("--value <value>", "the value on the command line (visible to other processes; prefer stdin)")
    .action((name: string, opts: ScopeOptions & { adminOnly?: boolean; value?: string }, cmd: Command) =>
      run(async () => {
        const { client } = connect(cmd.optsWithGlobals<GlobalOptions>());
        let value = opts.value;
        if (value !== undefined) {
          process.stderr.write(
            "warning: a value on the command line is visible in the process list and your shell history; pipe it on stdin instead\n",
          );
        } else {
          value = await readValue(`value for ${name}: `);
        }
        if (!value) throw new CliError(EXIT.usage, "the value is empty; nothing was stored");
        const secret = await client.secrets.set(
          name,
          { value, ...(opts.adminOnly ? { adminOnly: true } : {}) },
          scopeOf(opts),
        );
        process.stderr.write(
          `set ${secret.name}${secret.repo ? ` for ${secret.repo}` : " for the tenant"}${secret.adminOnly ? " (admin-only)" : ""}\n`,
        );
        return EXIT.ok;
      }),
    );

  secrets
    .command("ls")
    .description("list secrets: names and scopes, never values")
    .option("--json", "print JSON for scripts")
    .action((opts: { json?: boolean }, cmd: Command) =>
      run(async () => {
        const { client } = connect(cmd.optsWithGlobals<GlobalOptions>());
        const { secrets: list } = await client.secrets.list();
        if (opts.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else if (list.length === 0)
          process.stderr.write("no secrets yet; add one with: nightshift secrets set NAME\n");
        else {
          const width = Math.max(...list.map((s) => s.name.length));
          for (const s of list) {
            const scope = s.repo ?? "tenant";
            process.stdout.write(
              `${s.name.padEnd(width)}  ${scope}${s.adminOnly ? "  admin-only" : ""}  updated ${s.updatedAt}\n`,
            );
          }
        }
        return EXIT.ok;
      }),
    );

  secrets
    .command("rm")
    .description("delete a secret")
    .argument("<name>", "the secret's name")
    .option("--repo <repo>", "the repository's secret of that name, not the tenant's")
    .action((name: string, opts: ScopeOptions, cmd: Command) =>
      run(async () => {
        const { client } = connect(cmd.optsWithGlobals<GlobalOptions>());
        await client.secrets.delete(name, scopeOf(opts));
        process.stderr.write(`deleted ${name}${opts.repo ? ` for ${opts.repo}` : ""}\n`);
        return EXIT.ok;
      }),
    );
}
