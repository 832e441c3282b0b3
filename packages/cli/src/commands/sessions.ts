/** Session commands: run, ls, show, prompt, stop. */
import {
  AgentName,
  type RepoRef,
  SESSION_STATUSES,
  type Session,
  type StoredEvent,
} from "@nightshift/protocol";
import { type Command, Option } from "commander";
import { connect, type GlobalOptions } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { endOfTurn, follow } from "../follow.ts";
import { interruptSignal } from "../interrupt.ts";
import { readStdin } from "../io.ts";
import { repoLabel, sessionDetails, sessionTable } from "../render.ts";
import type { Runner } from "../runner.ts";

/** `owner/name` for GitHub, `local:<path>` for a repository under the local root. */
export function parseRepo(raw: string): RepoRef {
  if (raw.startsWith("local:")) return { kind: "local", path: raw.slice("local:".length) };
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(raw);
  if (match?.[1] && match[2]) return { kind: "github", owner: match[1], name: match[2] };
  throw new CliError(EXIT.usage, `'${raw}' is not a repository: use owner/name (GitHub) or local:<path>`);
}

/** A prompt argument; `-` reads it from stdin. */
async function promptText(raw: string): Promise<string> {
  return raw === "-" ? readStdin() : raw;
}

const json = new Option("--json", "print JSON for scripts instead of text");

function afterTurn(session: Session, code: number): void {
  const verdict = code === EXIT.ok ? "the turn completed" : "the turn did not complete";
  process.stderr.write(`${verdict}; session ${session.id}, branch ${session.branch}\n`);
}

export function registerSessionCommands(program: Command, run: Runner): void {
  program
    .command("run")
    .description("start a session: the agent works on <repo> on a new branch")
    .argument("<repo>", "owner/name (GitHub) or local:<path>")
    .argument("<prompt>", "what to do ('-' reads it from stdin)")
    .addOption(
      new Option("--agent <agent>", "the agent CLI (default: the tenant's)").choices(AgentName.options),
    )
    .option("--model <model>", "the model (default: the tenant's for that agent)")
    .option("--title <title>", "a title (default: from the prompt)")
    .option("--base-branch <branch>", "branch to start from (default: the repository's default)")
    .option("-f, --follow", "print the session's events until the turn ends; exit 1 if it fails")
    .addOption(json)
    .action(
      (
        repo: string,
        prompt: string,
        opts: {
          agent?: string;
          model?: string;
          title?: string;
          baseBranch?: string;
          follow?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) =>
        run(async () => {
          const { client } = connect(cmd.optsWithGlobals<GlobalOptions>());
          const session = await client.sessions.create({
            repo: parseRepo(repo),
            prompt: await promptText(prompt),
            ...(opts.agent ? { agent: opts.agent as AgentName } : {}),
            ...(opts.model ? { model: opts.model } : {}),
            ...(opts.title ? { title: opts.title } : {}),
            ...(opts.baseBranch ? { baseBranch: opts.baseBranch } : {}),
          });
          if (!opts.follow) {
            process.stdout.write(opts.json ? `${JSON.stringify(session)}\n` : `${session.id}\n`);
            if (!opts.json) {
              process.stderr.write(
                `started ${session.agent} on ${repoLabel(session)} (branch ${session.branch}); follow it with: nightshift tail ${session.id}\n`,
              );
            }
            return EXIT.ok;
          }
          process.stderr.write(`session ${session.id}: ${session.agent} on ${repoLabel(session)}\n`);
          const code = await follow({
            client,
            sessionId: session.id,
            from: 0,
            json: opts.json ?? false,
            until: endOfTurn(),
            signal: interruptSignal(),
          });
          afterTurn(session, code);
          return code;
        }),
    );

  program
    .command("ls")
    .description("list sessions, newest first")
    .addOption(new Option("--status <status>", "only sessions in this status").choices(SESSION_STATUSES))
    .option("-n, --limit <n>", "how many (1-100)", "25")
    .addOption(json)
    .action((opts: { status?: Session["status"]; limit: string; json?: boolean }, cmd: Command) =>
      run(async () => {
        const { client } = connect(cmd.optsWithGlobals<GlobalOptions>());
        const page = await client.sessions.list({
          limit: opts.limit,
          ...(opts.status ? { status: opts.status } : {}),
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(page.sessions)}\n`);
        else if (page.sessions.length === 0)
          process.stderr.write("no sessions yet; start one with: nightshift run\n");
        else process.stdout.write(`${sessionTable(page.sessions)}\n`);
        return EXIT.ok;
      }),
    );

  program
    .command("show")
    .description("one session's details")
    .argument("<id>", "the session id")
    .addOption(json)
    .action((id: string, opts: { json?: boolean }, cmd: Command) =>
      run(async () => {
        const { client } = connect(cmd.optsWithGlobals<GlobalOptions>());
        const session = await client.sessions.get(id);
        process.stdout.write(opts.json ? `${JSON.stringify(session)}\n` : `${sessionDetails(session)}\n`);
        return EXIT.ok;
      }),
    );

  program
    .command("prompt")
    .description("send a follow-up to a session (it runs after the prompts already queued)")
    .argument("<id>", "the session id")
    .argument("<text>", "the follow-up ('-' reads it from stdin)")
    .option("-f, --follow", "print this turn's events until it ends; exit 1 if it fails")
    .addOption(json)
    .action((id: string, text: string, opts: { follow?: boolean; json?: boolean }, cmd: Command) =>
      run(async () => {
        const { client } = connect(cmd.optsWithGlobals<GlobalOptions>());
        const queued = await client.sessions.prompt(id, await promptText(text));
        if (!opts.follow) {
          if (opts.json) process.stdout.write(`${JSON.stringify(queued)}\n`);
          else
            process.stderr.write(
              queued.position === 0
                ? "queued; it runs next\n"
                : `queued behind ${queued.position} prompt(s)\n`,
            );
          return EXIT.ok;
        }
        const isMine = (e: StoredEvent) => e.event.type === "prompt" && e.event.promptId === queued.promptId;
        const endOfMine = endOfTurn(queued.promptId);
        let mine = false;
        return follow({
          client,
          sessionId: id,
          from: 0,
          json: opts.json ?? false,
          // Earlier turns are history: print and judge from this prompt on.
          startPrintingAt: isMine,
          until: (e) => {
            mine ||= isMine(e);
            return mine ? endOfMine(e) : undefined;
          },
          signal: interruptSignal(),
        });
      }),
    );

  program
    .command("stop")
    .description("stop a session: the running turn is cancelled and no more prompts run")
    .argument("<id>", "the session id")
    .action((id: string, _opts: unknown, cmd: Command) =>
      run(async () => {
        const { client } = connect(cmd.optsWithGlobals<GlobalOptions>());
        const session = await client.sessions.stop(id);
        process.stderr.write(`session ${session.id} is ${session.status}\n`);
        return EXIT.ok;
      }),
    );
}
