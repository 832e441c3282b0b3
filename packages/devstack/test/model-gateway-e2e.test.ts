/**
 * The model gateway end to end, all real: the real `claude` CLI in a sandbox holds no model key;
 * it calls the runtime's relay, which adds the sandbox token and forwards to the Worker's gateway
 * (wrangler dev), which injects the deployment's key and streams from the scripted model.
 */
import type { SessionModelUsage, StoredEvent } from "@nightshift/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoRepo } from "../src/demo-repo";
import { createLocalSession } from "../src/session-calls";
import { type Stack, startStack } from "../src/stack";
import { StreamWatcher } from "../src/stream-socket";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ forceScriptedModel: true });
});

afterAll(async () => {
  await stack?.close();
});

const createSession = (repo: string, prompt: string) => createLocalSession(stack, repo, prompt);

const ofType = <T extends StoredEvent["event"]["type"]>(events: StoredEvent[], type: T) =>
  events
    .filter((e) => e.event.type === type)
    .map((e) => ({ at: Date.parse(e.at), event: e.event as Extract<StoredEvent["event"], { type: T }> }));

async function putBudget(budget: Record<string, number>) {
  const res = await fetch(`${stack.url}/api/v1/tenants/${stack.tenantId}/settings/budget`, {
    method: "PUT",
    headers: stack.headers,
    body: JSON.stringify(budget),
  });
  expect(res.status).toBe(200);
}

describe("the model gateway end to end", () => {
  it("a real claude turn streams token by token through relay and gateway, with the key injected there", async () => {
    createDemoRepo(stack.reposRoot, "gw-e2e");
    const words = Array.from({ length: 20 }, (_, i) => `g${i}`);
    stack.model!.enqueue({ kind: "text", text: words.join(" "), chunks: 20, chunkDelayMs: 80 });
    const marker = `gateway-e2e-${crypto.randomUUID()}`;
    const s = await createSession("gw-e2e", `Explain the repository in twenty words. ${marker}`);
    const w = await StreamWatcher.open(stack.url, s.id, 0, stack.headers);
    await w.until("the turn to end", () => ofType(w.events, "turn.end").length === 1, 90_000);
    expect(ofType(w.events, "turn.end")[0]?.event.status).toBe("completed");

    // Twenty deltas 80 ms apart (1.5 s): stored spread out, not all at once after buffering.
    const deltas = ofType(w.events, "message.delta");
    expect(
      deltas
        .map((d) => d.event.text)
        .join("")
        .replace(/\s+/g, " ")
        .trim(),
    ).toBe(words.join(" "));
    expect((deltas.at(-1)?.at ?? 0) - (deltas[0]?.at ?? 0)).toBeGreaterThan(500);

    // The model saw the deployment's key (injected by the gateway), never the sandbox's token or placeholder.
    const call = stack.model!.requests.find((r) => JSON.stringify(r.body ?? null).includes(marker));
    expect(call?.headers["x-api-key"]).toBe("sk-ant-scripted-model");
    expect(call?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(call?.headers)).not.toMatch(/nightshift-gateway|eyJ/);

    // What the gateway recorded is what the model reported (the CLI's own usage event sums the same).
    const reported = ofType(w.events, "usage").at(-1)?.event;
    const res = await fetch(`${stack.url}/api/v1/sessions/${s.id}/usage`, { headers: stack.headers });
    const usage = (await res.json()) as SessionModelUsage;
    expect(usage.calls).toBeGreaterThanOrEqual(1);
    const sum = (k: "inputTokens" | "outputTokens") => usage.byModel.reduce((n, m) => n + m[k], 0);
    expect(sum("inputTokens")).toBe(reported?.inputTokens);
    expect(sum("outputTokens")).toBe(reported?.outputTokens);
    w.close();
  });

  // A tenant over its monthly budget cannot start a session at all (402 at create, control-plane
  // tests); a session over its own cap still gets to the gateway, which refuses the call.
  it("a session over its budget gets a clean failed turn with the gateway's message, and the model is not called", async () => {
    createDemoRepo(stack.reposRoot, "gw-e2e-budget");
    await putBudget({ sessionUsd: 0 });
    try {
      const marker = `gateway-budget-${crypto.randomUUID()}`;
      const s = await createSession("gw-e2e-budget", `Say hello. ${marker}`);
      const w = await StreamWatcher.open(stack.url, s.id, 0, stack.headers);
      await w.until("the turn to end", () => ofType(w.events, "turn.end").length === 1, 60_000);
      expect(ofType(w.events, "turn.end")[0]?.event.status).toBe("failed");
      const errors = ofType(w.events, "error").map((e) => e.event.message);
      expect(errors.join("\n")).toMatch(/budget exhausted/);
      expect(stack.model!.requests.some((r) => JSON.stringify(r.body ?? null).includes(marker))).toBe(false);
      w.close();
    } finally {
      await putBudget({});
    }
  });
});
