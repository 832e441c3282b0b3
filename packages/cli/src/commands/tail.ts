/** `nightshift tail <id>`: a session's events, the backlog then live, until the session ends. */
import { TERMINAL_STATUSES } from "@nightshift/protocol";
import { type Command, Option } from "commander";
import { connect, type GlobalOptions } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { readFirstPage } from "../first-page.ts";
import { endOfSession, endOfTurn, follow } from "../follow.ts";
import { interruptSignal } from "../interrupt.ts";
import type { Runner } from "../runner.ts";

export function registerTail(program: Command, run: Runner): void {
  program
    .command("tail")
    .description("print a session's events and follow it live (reconnecting as needed) until it ends")
    .argument("<id>", "the session id")
    .option("--after <seq>", "start after this event number (default: from the first)", "0")
    .option("--turn", "stop at the end of the next turn; exit 1 if it fails")
    .addOption(new Option("--json", "one JSON event per line ({seq, at, event}) for scripts"))
    .action((id: string, opts: { after: string; turn?: boolean; json?: boolean }, cmd: Command) =>
      run(async () => {
        const after = Number(opts.after);
        if (!Number.isInteger(after) || after < 0) {
          throw new CliError(EXIT.usage, `--after takes an event number (0 or more), not '${opts.after}'`);
        }
        const { client, baseUrl, headers } = connect(cmd.optsWithGlobals<GlobalOptions>());
        // Over HTTP, alongside the stream: has the session already ended (then stop after the
        // backlog), and a wrong id or key gets its exit code even if the socket says nothing.
        const ended = () =>
          client.sessions
            .get(id)
            .then((s) =>
              TERMINAL_STATUSES.has(s.status) ? (s.status === "failed" ? EXIT.failed : EXIT.ok) : undefined,
            );
        return follow({
          client,
          sessionId: id,
          from: after,
          json: opts.json ?? false,
          until: opts.turn ? endOfTurn() : endOfSession,
          ended,
          firstPage: (from, signal) =>
            readFirstPage({ baseUrl, headers, sessionId: id, after: from, ...(signal ? { signal } : {}) }),
          signal: interruptSignal(),
        });
      }),
    );
}
