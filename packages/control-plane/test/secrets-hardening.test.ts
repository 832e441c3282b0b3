/**
 * Secrets that reach too far: names that would take over a loader or interpreter, admin-only
 * secrets in members' sessions, and secret values in stored events (the control plane's masker).
 */
import { env } from "cloudflare:workers";
import { ListSecretsResponse, type Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/env";
import { decryptSecretsForSession } from "../src/secrets/sandbox-secrets";
import type { EventsPageResult } from "../src/session/rpc-types";
import {
  api,
  createSession,
  createTenant,
  type Identity,
  joinTenant,
  sessionStub,
  unwrapRpc,
} from "./helpers";
import { SandboxClient, useIncarnation } from "./sandbox-client";

const bindings = env as unknown as Bindings;

function put(who: Identity, name: string, body: Record<string, unknown>): Promise<Response> {
  return api(
    `/api/v1/tenants/${who.tenantId}/secrets/${name}`,
    { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    who,
  );
}

describe("secret names", () => {
  it("a secret named like a loader or interpreter option (LD_PRELOAD, NODE_OPTIONS, GIT_SSH_COMMAND, NIGHTSHIFT_*) is refused with 400", async () => {
    const t = await createTenant("names");
    for (const name of [
      "LD_PRELOAD",
      "NODE_OPTIONS",
      "GIT_SSH_COMMAND",
      "NIGHTSHIFT_X",
      "PYTHONSTARTUP",
      "BASH_ENV",
    ]) {
      const res = await put(t, name, { value: "/tmp/evil.so" });
      expect(res.status, name).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.message, name).toMatch(new RegExp(`invalid secret name: .*${name}`));
    }
    expect((await put(t, "NPM_TOKEN", { value: "npm-token-value" })).status).toBe(201);
  });
});

describe("admin-only secrets", () => {
  it("a member's session does not get an admin-only secret; an admin's does", async () => {
    const owner = await createTenant("admin-only");
    const member = await joinTenant(owner, "member");
    const admin = await joinTenant(owner, "admin");
    expect((await put(owner, "DEPLOY_KEY", { value: "deploy-key-value-1", adminOnly: true })).status).toBe(
      201,
    );
    expect((await put(owner, "NPM_TOKEN", { value: "npm-token-value-1" })).status).toBe(201);
    // Rotating the value without the flag keeps it admin-only (a rotation never widens access).
    expect((await put(owner, "DEPLOY_KEY", { value: "deploy-key-value-2" })).status).toBe(200);

    const list = ListSecretsResponse.parse(
      await (await api(`/api/v1/tenants/${owner.tenantId}/secrets`, {}, owner)).json(),
    );
    expect(list.secrets.map((s) => [s.name, s.adminOnly])).toEqual([
      ["DEPLOY_KEY", true],
      ["NPM_TOKEN", false],
    ]);
    // Members cannot set secrets at all, so they cannot clear the flag either.
    expect((await put(member, "DEPLOY_KEY", { value: "x-member-value", adminOnly: false })).status).toBe(403);

    const repo = { kind: "github" as const, owner: "acme", name: "app" };
    const forMember = await decryptSecretsForSession(bindings, {
      tenantId: owner.tenantId,
      repo,
      createdBy: member.userId,
    });
    expect(forMember).toEqual({ NPM_TOKEN: "npm-token-value-1" });
    const forAdmin = await decryptSecretsForSession(bindings, {
      tenantId: owner.tenantId,
      repo,
      createdBy: admin.userId,
    });
    expect(forAdmin).toEqual({ NPM_TOKEN: "npm-token-value-1", DEPLOY_KEY: "deploy-key-value-2" });
    // Someone no longer in the tenant (removed after starting a session) gets no admin-only secret.
    const gone = await decryptSecretsForSession(bindings, {
      tenantId: owner.tenantId,
      repo,
      createdBy: "u-gone",
    });
    expect(Object.keys(gone)).toEqual(["NPM_TOKEN"]);

    expect((await put(owner, "DEPLOY_KEY", { value: "deploy-key-value-3", adminOnly: false })).status).toBe(
      200,
    );
    expect(
      await decryptSecretsForSession(bindings, { tenantId: owner.tenantId, repo, createdBy: member.userId }),
    ).toEqual({ NPM_TOKEN: "npm-token-value-1", DEPLOY_KEY: "deploy-key-value-3" });
  });
});

describe("the control plane's masker", () => {
  it("a runtime event carrying a secret value (raw, JSON-escaped, base64 or hex) is stored masked", async () => {
    const value = 's3cr3t-"mask"-me-0123456789';
    const owner = { tenantId: "local" } as Identity;
    const res = await api(`/api/v1/tenants/${owner.tenantId}/secrets/MASK_ME_TOKEN`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value }),
    });
    expect(res.status).toBeLessThan(300);
    const session: Session = await createSession("leak it");
    const token = await useIncarnation(session, "inc-mask-1");
    const sandbox = await SandboxClient.connect(token);
    sandbox.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    await sandbox.waitFor("welcome");

    const bytes = new TextEncoder().encode(value);
    const base64 = btoa(String.fromCharCode(...bytes));
    const shifted = btoa(String.fromCharCode(120, ...bytes)); // the value one byte into a longer blob
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const forms = [value, JSON.stringify(value).slice(1, -1), base64, hex, hex.toUpperCase()];
    sandbox.sendEvents([
      { seq: 1, event: { type: "log", source: "agent", stream: "stdout", text: `env: ${value}\n` } },
      { seq: 2, event: { type: "message.delta", messageId: "m1", text: `b64 ${base64} and ${shifted}` } },
      {
        seq: 3,
        event: {
          type: "tool.start",
          toolId: "t1",
          name: "Bash",
          input: { command: `echo ${hex}`, json: JSON.stringify({ v: value }) },
        },
      },
      { seq: 4, event: { type: "error", code: "x", message: `HEX ${hex.toUpperCase()}` } },
    ]);
    await sandbox.waitForAck(4);

    const page = unwrapRpc<EventsPageResult>(
      await sessionStub(session.id).readEvents(session.tenantId, 0, 1000),
    );
    const stored = JSON.stringify(page.events);
    for (const form of forms) expect(stored).not.toContain(form);
    expect(stored).not.toContain(shifted.slice(4, 20));
    expect(stored.match(/\[redacted\]/g)?.length ?? 0).toBeGreaterThanOrEqual(6);
    const tool = page.events.find((e) => e.event.type === "tool.start");
    expect(tool?.event).toMatchObject({ type: "tool.start", name: "Bash" });
    sandbox.close();
  });
});
