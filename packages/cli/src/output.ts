/**
 * Terminal output: stdout batched per tick (ten thousand events print as a few writes, not ten
 * thousand), and a spinner on stderr while waiting, shown only when a person is watching.
 */
import { createSpinner, type Spinner } from "nanospinner";

export class BatchedOutput {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  write = (text: string): void => {
    this.pending.push(text);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  };

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending = [];
    this.stream.write(text);
  }

  /** Resolves once everything written so far has reached the stream. */
  drained(): Promise<void> {
    this.flush();
    return new Promise((resolve) => this.stream.write("", () => resolve()));
  }
}

export class Waiting {
  private spinner: Spinner | null = null;
  private readonly enabled: boolean;

  constructor(quiet: boolean) {
    this.enabled = !quiet && Boolean(process.stdout.isTTY && process.stderr.isTTY);
  }

  show(text: string): void {
    if (!this.enabled) return;
    if (this.spinner) this.spinner.update(text);
    else this.spinner = createSpinner(text, { stream: process.stderr }).start();
  }

  hide(): void {
    // stop() with no text clears the spinner's line and gives the cursor back.
    this.spinner?.stop();
    this.spinner = null;
  }
}

/** `nightshift ls | head` closes stdout early: that is the reader's choice, not a failure. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}
