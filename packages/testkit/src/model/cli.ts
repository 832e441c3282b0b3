/**
 * `nightshift-scripted-model`: runs the scripted model server on 127.0.0.1 until interrupted,
 * with autopilot on, for `make demo` / `make dev` without a model key. Prints the base URL as
 * `ANTHROPIC_BASE_URL=http://127.0.0.1:PORT` on its first stdout line so launchers can read it.
 *
 *   nightshift-scripted-model [--port N] [--pace-ms N] [--no-autopilot] [--quiet]
 *   SCRIPTED_MODEL_API_KEY=…  require this key (others get 401); kept off the command line.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { startScriptedModel } from "./scripted-model";

const USAGE = "usage: nightshift-scripted-model [--port N] [--pace-ms N] [--no-autopilot] [--quiet]";

const CliOptions = z.object({
  port: z.coerce.number().int().min(0).max(65_535).default(0),
  "pace-ms": z.coerce.number().int().min(0).max(5_000).default(40),
  "no-autopilot": z.boolean().default(false),
  quiet: z.boolean().default(false),
  apiKey: z.string().min(1).optional(),
});

function fail(message: string): never {
  process.stderr.write(`nightshift-scripted-model: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let values: Record<string, unknown>;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string" },
      "pace-ms": { type: "string" },
      "no-autopilot": { type: "boolean" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const parsed = CliOptions.safeParse({ ...values, apiKey: process.env.SCRIPTED_MODEL_API_KEY || undefined });
if (!parsed.success) {
  fail(parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; "));
}
const options = parsed.data;

const model = await startScriptedModel({
  port: options.port,
  apiKey: options.apiKey,
  autopilot: !options["no-autopilot"],
  autopilotChunkDelayMs: options["pace-ms"],
  log: options.quiet ? undefined : (line) => process.stderr.write(`[scripted-model] ${line}\n`),
}).catch((error: Error) => fail(`cannot listen on 127.0.0.1:${options.port}: ${error.message}`));

process.stdout.write(`ANTHROPIC_BASE_URL=${model.url}\n`);
const stop = () => void model.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
