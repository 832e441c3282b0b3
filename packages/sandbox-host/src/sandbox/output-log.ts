/**
 * Where a sandbox's own stdout/stderr go: `runtime.log` in its directory, capped so a runaway
 * runtime cannot fill the disk, plus a short tail kept in memory for the exit log line (with
 * the sandbox's secret values masked).
 */
import { createWriteStream, type WriteStream } from "node:fs";

const TAIL_CHARS = 1500;

export class OutputLog {
  private readonly file: WriteStream;
  private written = 0;
  private tailText = "";

  constructor(
    path: string,
    private readonly maxBytes = 5 * 1024 * 1024,
  ) {
    this.file = createWriteStream(path, { flags: "a" });
    this.file.on("error", () => {}); // the directory may be removed while a last chunk is written
  }

  write(chunk: Buffer): void {
    this.tailText = (this.tailText + chunk.toString("utf8")).slice(-TAIL_CHARS);
    if (this.written >= this.maxBytes) return;
    this.written += chunk.length;
    this.file.write(chunk);
    if (this.written >= this.maxBytes)
      this.file.write("\n[runtime.log reached its size limit; further output is dropped]\n");
  }

  /** The last lines, with every secret value replaced by ***. */
  tail(secrets: readonly string[]): string {
    let text = this.tailText;
    for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join("***");
    return text.trim();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.file.end(() => resolve()));
  }
}
