/** Webhook ingress in workerd: signature (docs vector + real payload), dedupe, malformed input. */
import { describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../src/github/webhook-signature";
import { GITHUB_APP } from "./github-app-fixture";
import { api } from "./helpers";
import { signBody } from "./webhook-fixtures";

// Labelled "bug", not the trigger label: ingress and dedupe are under test here, not triggers.
const labeled = JSON.stringify({
  action: "labeled",
  issue: { number: 1, title: "Spelling error in the README file", body: null },
  label: { name: "bug" },
  repository: { id: 9001, name: "widgets", owner: { login: "acme" } },
  sender: { login: "octocat", id: 583231, type: "User" },
  installation: { id: 77 },
});

async function deliver(body: string, headers: Record<string, string | null>) {
  const h = new Headers({ "content-type": "application/json" });
  for (const [k, v] of Object.entries(headers)) if (v !== null) h.set(k, v);
  return api("/webhooks/github", { method: "POST", headers: h, body });
}

describe("GitHub webhook ingress", () => {
  it("verifies GitHub's documented test vector and rejects a tampered body", async () => {
    const body = new TextEncoder().encode("Hello, World!");
    const good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(await verifyWebhookSignature("It's a Secret to Everybody", body, good)).toBe(true);
    expect(
      await verifyWebhookSignature(
        "It's a Secret to Everybody",
        new TextEncoder().encode("Hello, World?"),
        good,
      ),
    ).toBe(false);
    expect(
      await verifyWebhookSignature("It's a Secret to Everybody", body, good.replace("sha256=", "sha1=")),
    ).toBe(false);
    expect(await verifyWebhookSignature("It's a Secret to Everybody", body, "sha256=zz")).toBe(false);
  });

  it("answers 401 to a missing or wrong signature", async () => {
    const id = crypto.randomUUID();
    expect(
      (
        await deliver(labeled, {
          "x-github-event": "issues",
          "x-github-delivery": id,
          "x-hub-signature-256": null,
        })
      ).status,
    ).toBe(401);
    const wrong = await signBody("not-the-secret-at-all", labeled);
    expect(
      (
        await deliver(labeled, {
          "x-github-event": "issues",
          "x-github-delivery": id,
          "x-hub-signature-256": wrong,
        })
      ).status,
    ).toBe(401);
  });

  it("accepts a signed delivery once and answers a replay with 200 and nothing new", async () => {
    const id = crypto.randomUUID();
    const headers = {
      "x-github-event": "issues",
      "x-github-delivery": id,
      "x-hub-signature-256": await signBody(GITHUB_APP.webhookSecret, labeled),
    };
    const first = await deliver(labeled, headers);
    expect(first.status).toBe(202);
    const replay = await deliver(labeled, headers);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true });
  });

  it("answers 400 to malformed payloads and headers", async () => {
    const bad = "{not json";
    const res = await deliver(bad, {
      "x-github-event": "issues",
      "x-github-delivery": crypto.randomUUID(),
      "x-hub-signature-256": await signBody(GITHUB_APP.webhookSecret, bad),
    });
    expect(res.status).toBe(400);
    const noEvent = await deliver(labeled, {
      "x-github-event": null,
      "x-github-delivery": crypto.randomUUID(),
      "x-hub-signature-256": await signBody(GITHUB_APP.webhookSecret, labeled),
    });
    expect(noEvent.status).toBe(400);
    const array = "[1,2]";
    const res2 = await deliver(array, {
      "x-github-event": "issues",
      "x-github-delivery": crypto.randomUUID(),
      "x-hub-signature-256": await signBody(GITHUB_APP.webhookSecret, array),
    });
    expect(res2.status).toBe(400);
  });
});
