/** Ctrl-C while following ends the follow cleanly (output flushed, spinner cleared), exit 130. */
let controller: AbortController | null = null;

export const INTERRUPTED_EXIT = 130;

export function interruptSignal(): AbortSignal {
  if (!controller) {
    const own = new AbortController();
    controller = own;
    process.once("SIGINT", () => {
      process.exitCode = INTERRUPTED_EXIT;
      own.abort();
    });
  }
  return controller.signal;
}

export function wasInterrupted(): boolean {
  return controller?.signal.aborted ?? false;
}
