/**
 * `nightshift login` by browser: the device sign-in of RFC 8628. The CLI shows a URL and a code,
 * opens the browser when a person is at this terminal, and polls with a spinner until the code is
 * approved (a new API key), denied, or expired. The poll honours the server's pace: it waits the
 * interval between polls and 5 s more after each `slow_down`.
 */
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError, createClient, NetworkError } from "@nightshift/client";
import pc from "picocolors";
import { CliError, EXIT } from "./exit-codes.ts";
import { interruptSignal } from "./interrupt.ts";
import { Waiting } from "./output.ts";

const SLOW_DOWN_STEP_S = 5;

export interface BrowserLoginOptions {
  /** Try to open the verification page in a browser (only when a person is at the terminal). */
  openBrowser: boolean;
}

/** Best effort: $BROWSER, else the platform's opener. A failure only means the URL is typed by hand. */
function openInBrowser(url: string): boolean {
  const [command, ...args] = process.env.BROWSER?.trim()
    ? [process.env.BROWSER.trim(), url]
    : process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
        ? ["cmd", "/c", "start", "", url]
        : ["xdg-open", url];
  if (!command) return false;
  try {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.on("error", () => {
      // No opener installed: the URL printed above is the way.
    });
    child.unref();
    return true;
  } catch {
    return false;
  }
}

function expired(): CliError {
  return new CliError(EXIT.auth, "the code expired before it was approved; run `nightshift login` again");
}

/** Runs the whole browser sign-in against `baseUrl`; resolves with the new API key. */
export async function loginByBrowser(baseUrl: string, options: BrowserLoginOptions): Promise<string> {
  const signal = interruptSignal();
  const client = createClient({ baseUrl });
  const started = await client.deviceLogin
    .start(`nightshift CLI on ${hostname()}`, signal)
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) {
        throw new CliError(
          EXIT.notFound,
          `${baseUrl} has no browser sign-in (an older control plane?); use \`nightshift login --api-key nsk_...\``,
        );
      }
      throw error;
    });
  process.stderr.write(
    `To sign in, open ${pc.underline(started.verification_uri_complete)}\n` +
      `and check that it shows the code ${pc.bold(started.user_code)} (valid for ${Math.round(
        started.expires_in / 60,
      )} minutes).\n`,
  );
  const attended = Boolean(process.stderr.isTTY && process.stdin.isTTY);
  if (options.openBrowser && attended && openInBrowser(started.verification_uri_complete)) {
    process.stderr.write("Opened your browser.\n");
  }
  const deadline = Date.now() + started.expires_in * 1000;
  let interval = started.interval;
  const waiting = new Waiting(false);
  waiting.show("Waiting for approval in the browser…");
  try {
    for (;;) {
      await sleep(interval * 1000, undefined, { signal });
      if (Date.now() >= deadline) throw expired();
      try {
        return (await client.deviceLogin.poll(started.device_code, signal)).key;
      } catch (error) {
        // A dropped connection is not the end of the sign-in: poll again at the next interval.
        if (error instanceof NetworkError) continue;
        if (!(error instanceof ApiError)) throw error;
        if (error.code === "authorization_pending") continue;
        if (error.code === "slow_down") {
          interval += SLOW_DOWN_STEP_S;
          continue;
        }
        if (error.code === "access_denied") {
          throw new CliError(EXIT.auth, "the sign-in was denied in the browser; nothing was stored");
        }
        if (error.code === "expired_token") throw expired();
        throw error;
      }
    }
  } finally {
    waiting.hide();
  }
}
