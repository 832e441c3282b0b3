/**
 * Debian's Chromium driven by playwright-core: never a downloaded browser. Each launch gets a
 * fresh profile (playwright creates a temporary --user-data-dir and removes it on close).
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(EXECUTABLE)) {
    throw new Error(
      `Chromium is not installed at ${EXECUTABLE}: run \`make setup\` (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath: EXECUTABLE, headless: true, args: ARGS, timeout: 60_000 });
}
