/**
 * Dashboard benchmark: initial JS bundle size (gzip) and, against the real Worker in Debian's
 * Chromium, the time from navigation to the first streamed event on a session page, and the
 * latency from the runtime sending an event to it being on screen. Targets: < 200 KB gzip,
 * < 1 s locally. Prints a table and writes artifacts/bench.json.
 *
 *   pnpm --filter @nightshift/web bench        (builds first)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, DIST, startBrowserStack } from "../test/browser/browser-stack";
import { launchChromium } from "../test/browser/chromium";
import { signIn, startSession } from "../test/browser/dashboard-page";
import { ScriptedRuntime, scriptedTurn } from "../test/browser/scripted-runtime";
import { initialBundle } from "./bundle-size";

const RUNS = 10;
const BUNDLE_BUDGET = 200 * 1024;
const FIRST_EVENT_BUDGET_MS = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function main() {
  const bundle = initialBundle(DIST);
  console.log("initial bundle (entry + modulepreload):");
  for (const f of bundle.files)
    console.log(`  ${f.file.padEnd(40)} ${kb(f.bytes).padStart(10)} ${kb(f.gzip).padStart(10)} gzip`);

  console.log("starting the Worker (wrangler dev) and Chromium…");
  const stack = await startBrowserStack();
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, stack.url);
    const sessionId = await startSession(page, "bench-repo", "Benchmark the dashboard.");
    const runtime = await ScriptedRuntime.connect(stack.workerUrl, await stack.sandboxTokenFor(sessionId));
    const prompt = await runtime.nextPrompt();
    await runtime.play(scriptedTurn(prompt.promptId, 1, "A first answer, so the log has a turn in it."));

    // Navigation → first event on screen, on a fresh page load each run (JS from cache after the first).
    await context.addInitScript(() => {
      // Timestamps of the stream socket's life, to say where the time goes.
      const marks: Record<string, number> = {};
      (window as unknown as { __ws: Record<string, number> }).__ws = marks;
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          marks.created ??= performance.now();
          this.addEventListener("open", () => {
            marks.open ??= performance.now();
          });
          this.addEventListener("message", () => {
            marks.firstFrame ??= performance.now();
          });
        }
      };
      const w = window as unknown as { __firstEventMs?: number };
      new MutationObserver((_, obs) => {
        if (document.querySelector("[data-key]")) {
          w.__firstEventMs = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const firstEvent: number[] = [];
    const jsTransferred: number[] = [];
    type Phase = "html" | "scripts" | "me" | "wsCreated" | "wsOpen" | "wsFirstFrame";
    const phases: Record<Phase, number>[] = [];
    for (let i = 0; i < RUNS; i++) {
      const fresh = await context.newPage();
      let js = 0;
      fresh.on("response", async (res) => {
        if (res.request().resourceType() === "script")
          js += Number((await res.headerValue("content-length")) ?? 0);
      });
      await fresh.goto(`${stack.url}/sessions/${sessionId}`);
      await fresh.waitForFunction(
        () => (window as unknown as { __firstEventMs?: number }).__firstEventMs !== undefined,
      );
      firstEvent.push(
        await fresh.evaluate(() => (window as unknown as { __firstEventMs: number }).__firstEventMs),
      );
      phases.push(
        await fresh.evaluate(() => {
          const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
          const res = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
          // No named helpers in here: tsx's name-keeping wrappers do not exist in the page.
          const me = res.find((r) => r.name.includes("/api/v1/me"))?.responseEnd ?? Number.NaN;
          const ws = (window as unknown as { __ws: Record<string, number> }).__ws;
          return {
            html: nav.responseEnd,
            scripts: nav.domContentLoadedEventEnd,
            me,
            wsCreated: ws.created ?? Number.NaN,
            wsOpen: ws.open ?? Number.NaN,
            wsFirstFrame: ws.firstFrame ?? Number.NaN,
          };
        }),
      );
      jsTransferred.push(js);
      await fresh.close();
    }

    // Live latency: runtime sends one event → it is rendered (same clock: the page's, via a binding).
    const live: number[] = [];
    await page.goto(`${stack.url}/sessions/${sessionId}`);
    await page.getByTestId("connection").getByText("Live").waitFor();
    await page.getByLabel("Follow-up prompt").fill("Again, for latency.");
    await page.getByRole("button", { name: "Send" }).click();
    const second = await runtime.nextPrompt();
    for (let i = 0; i < RUNS; i++) {
      const marker = `latency-${i}`;
      const seen = page.waitForFunction(
        (m) => [...document.querySelectorAll(".entry-message")].some((el) => el.textContent?.includes(m)),
        marker,
        { polling: "raf" },
      );
      const t0 = Date.now();
      await runtime.play([
        { type: "message", messageId: `${second.promptId}-${i}`, role: "assistant", text: marker },
      ]);
      await seen;
      live.push(Date.now() - t0);
    }
    runtime.close();

    const result = {
      initialBundleGzipBytes: bundle.totalGzip,
      initialBundleBytes: bundle.totalBytes,
      navigationToFirstEventMs: {
        median: median(firstEvent),
        max: Math.max(...firstEvent),
        runs: firstEvent,
      },
      phasesMs: phases,
      liveEventToScreenMs: { median: median(live), max: Math.max(...live), runs: live },
      firstLoadScriptBytesOverWire: jsTransferred[0],
    };
    writeFileSync(join(ARTIFACTS, "bench.json"), `${JSON.stringify(result, null, 2)}\n`);
    const ok = (b: boolean) => (b ? "ok" : "OVER BUDGET");
    console.log("");
    console.log("metric                                  value        target");
    console.log(
      `initial JS (gzip)                       ${kb(bundle.totalGzip).padEnd(12)} < 200 KB   ${ok(bundle.totalGzip < BUNDLE_BUDGET)}`,
    );
    console.log(
      `navigation → first event (median of ${RUNS}) ${`${median(firstEvent).toFixed(0)} ms`.padEnd(12)} < 1000 ms  ${ok(median(firstEvent) < FIRST_EVENT_BUDGET_MS)}`,
    );
    console.log(`live event → screen (median of ${RUNS})     ${`${median(live).toFixed(0)} ms`.padEnd(12)}`);
    const phase = (k: Phase) => `${median(phases.map((p) => p[k])).toFixed(0)} ms`;
    console.log(
      `  where it goes (medians, from navigation): HTML ${phase("html")}, scripts ran ${phase("scripts")}, ` +
        `/me ${phase("me")}, socket created ${phase("wsCreated")}, open ${phase("wsOpen")}, first frame ${phase("wsFirstFrame")}`,
    );
    console.log(`\nwritten to ${join(ARTIFACTS, "bench.json")}`);
    if (bundle.totalGzip >= BUNDLE_BUDGET || median(firstEvent) >= FIRST_EVENT_BUDGET_MS)
      process.exitCode = 1;
  } finally {
    await browser.close();
    await stack.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
