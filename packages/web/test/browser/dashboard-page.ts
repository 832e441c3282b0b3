/** What the browser tests do on the dashboard, in a person's terms (sign in, start, watch, read). */
import { join } from "node:path";
import { EventsPage, type StoredEvent } from "@nightshift/protocol";
import type { Page } from "playwright-core";
import { applyEvents, emptyTimeline } from "../../src/timeline/timeline";
import { ARTIFACTS } from "./browser-stack";

export const LONG_WAIT = 120_000;

/** Signs in with the dev login: no name is the local owner, a name another developer. */
export async function signIn(page: Page, baseUrl: string, name = ""): Promise<void> {
  await page.goto(baseUrl);
  await page.getByRole("heading", { name: "Sign in to Nightshift" }).waitFor();
  if (name) await page.getByLabel("Display name").fill(name);
  await page.getByRole("button", { name: "Dev login" }).click();
  await page.getByRole("heading", { name: "Sessions", exact: true }).waitFor();
}

/** Fills the new-session form (local repository typed by hand) and returns the new session's id. */
export async function startSession(page: Page, repo: string, prompt: string): Promise<string> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New session" }).click();
  await page.getByRole("heading", { name: "New session" }).waitFor();
  const picker = page.getByLabel("Repository", { exact: true });
  if ((await picker.count()) > 0 && (await picker.evaluate((el) => el.tagName)) === "SELECT") {
    await picker.selectOption(`local:${repo}`);
  } else {
    await page.getByLabel(/Repository path/).fill(repo);
  }
  await page.getByLabel("Prompt").fill(prompt);
  await page.getByRole("button", { name: "Start session" }).click();
  await page.waitForURL(/\/sessions\/[0-9a-z]{26}$/);
  return page.url().split("/").pop()!;
}

/** The keys of the rendered timeline items, in order. */
export function renderedKeys(page: Page): Promise<string[]> {
  return page.$$eval("[data-key]", (els) => els.map((e) => (e as HTMLElement).dataset.key ?? ""));
}

/** Every stored event of the session, read over HTTP with the page's own credentials. */
export async function storedEvents(page: Page, sessionId: string): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let after = 0;
  for (let i = 0; i < 100; i++) {
    const raw = await page.evaluate(
      async ({ id, after }) => {
        const tenant = localStorage.getItem("nightshift.tenant");
        const me = await (await fetch("/api/v1/me")).json();
        const t = tenant ?? me.tenants[0].id;
        const res = await fetch(`/api/v1/tenants/${t}/sessions/${id}/events?after=${after}&limit=1000`);
        return res.json();
      },
      { id: sessionId, after },
    );
    const batch = EventsPage.parse(raw);
    all.push(...batch.events);
    after = batch.nextAfter;
    if (!batch.hasMore) break;
  }
  return all;
}

/** The timeline keys the stored log should render as: each event exactly once. */
export function expectedKeys(events: StoredEvent[]): string[] {
  return applyEvents(emptyTimeline, events).items.map((i) => i.key);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
