/**
 * `nightshift`: the command line for a Nightshift control plane. Parsing is commander's; every
 * command runs through runCommand, which turns failures into the documented exit codes.
 */
import { Command, CommanderError } from "commander";
import { registerAutomations } from "./commands/automations.ts";
import { registerLogin } from "./commands/login.ts";
import { registerSecrets } from "./commands/secrets.ts";
import { registerSessionCommands } from "./commands/sessions.ts";
import { registerTail } from "./commands/tail.ts";
import { EXIT } from "./exit-codes.ts";
import { exitQuietlyOnClosedPipe } from "./output.ts";
import { runCommand } from "./runner.ts";

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  the turn failed, or the session failed or was stopped before it finished
  2  usage error (bad flag or argument, or a request the control plane rejected as invalid)
  3  authentication error (not logged in, a bad or revoked API key, a role that may not,
     or a browser sign-in that was denied or expired)
  4  not found (no such session or secret in this tenant)
  5  server or network error (the control plane failed or could not be reached)
  130 interrupted (Ctrl-C)

Environment:
  NIGHTSHIFT_URL      the control plane (default: the one last logged in to, else http://127.0.0.1:8787)
  NIGHTSHIFT_API_KEY  an API key to use instead of the stored one
  XDG_CONFIG_HOME     where nightshift/config.json (mode 0600) keeps keys per control plane`;

export function buildProgram(): Command {
  const program = new Command("nightshift")
    .description("Start, follow and steer Nightshift coding-agent sessions from a terminal or a script.")
    .version("0.1.0")
    .option("--url <url>", "the control plane's address (overrides NIGHTSHIFT_URL and the stored one)")
    .showHelpAfterError("(run `nightshift --help` for usage)")
    .addHelpText("after", EXIT_CODES_HELP)
    .exitOverride();
  registerLogin(program, runCommand);
  registerSessionCommands(program, runCommand);
  registerTail(program, runCommand);
  registerSecrets(program, runCommand);
  registerAutomations(program, runCommand);
  return program;
}

exitQuietlyOnClosedPipe();
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // Help and --version end with exit code 0; every other parse failure is a usage error.
  const shown = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
  process.exitCode = shown ? EXIT.ok : EXIT.usage;
}
