/** Reading what a person types (a key, a secret) without echoing it, or what a script pipes in. */
import { CliError, EXIT } from "./exit-codes.ts";

/** Enough for any secret the API accepts (32 KiB) with room for a trailing newline. */
const STDIN_MAX_BYTES = 64 * 1024;

/** All of stdin, without one trailing newline (what `echo` and here-strings add). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > STDIN_MAX_BYTES)
      throw new CliError(EXIT.usage, `stdin is larger than ${STDIN_MAX_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** One line typed at the terminal, not echoed. Ctrl-C cancels (exit 130). */
export function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = "";
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return done();
        if (char === "\u0003") {
          return done(new CliError(130 as typeof EXIT.usage, "cancelled"));
        }
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else value += char;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on("data", onData);
  });
}

/** A value from the terminal (hidden) when a person is there, else from stdin. */
export async function readValue(prompt: string): Promise<string> {
  return process.stdin.isTTY ? readHidden(prompt) : readStdin();
}
