/**
 * /api/v1/tenants/:tenant/automations through the real Worker: CRUD, the secret shown once and
 * never again, bad definitions refused with the position of the mistake, roles (admins manage,
 * members read), another tenant sees nothing, rotation keeps the previous secret for a day, and
 * trigger-scoped API keys.
 */
import type {
  ApiKey,
  Automation,
  AutomationCreated,
  AutomationRunsPage,
  ListAutomationsResponse,
} from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import {
  automationsPath,
  createAutomation,
  deliverSigned,
  expectJson,
  patchAutomation,
  webhookBody,
} from "./automations-support";
import { api, browserHeaders, createTenant, joinTenant, postJson } from "./helpers";

describe("automations API", () => {
  it("creates a webhook automation, shows its secret once, and reads it back without it", async () => {
    const owner = await createTenant("auto-crud");
    const created = await createAutomation(owner);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32,}$/);
    expect(created.automation).toMatchObject({
      name: "Triage alerts",
      enabled: true,
      trigger: { kind: "webhook" },
      limits: { maxRunsPerHour: 60, maxConcurrent: 3 },
      actingUserId: owner.userId,
      consecutiveFailures: 0,
    });
    const one = await api(automationsPath(owner, `/${created.automation.id}`), {}, owner);
    const text = await one.text();
    expect(one.status).toBe(200);
    expect(text).not.toContain(created.secret ?? "missing");
    const list = await expectJson<ListAutomationsResponse>(await api(automationsPath(owner), {}, owner), 200);
    expect(list.automations.map((a) => a.id)).toEqual([created.automation.id]);
    expect(JSON.stringify(list)).not.toContain(created.secret ?? "missing");
  });

  it("updates, pauses and deletes; a resume clears an auto-pause", async () => {
    const owner = await createTenant("auto-update");
    const { automation } = await createAutomation(owner);
    const renamed = await expectJson<Automation>(
      await patchAutomation(owner, automation.id, { name: "Renamed", filter: 'payload.level == "error"' }),
      200,
    );
    expect(renamed).toMatchObject({ name: "Renamed", filter: 'payload.level == "error"' });
    const paused = await expectJson<Automation>(
      await patchAutomation(owner, automation.id, { enabled: false }),
      200,
    );
    expect(paused.enabled).toBe(false);
    const cleared = await expectJson<Automation>(
      await patchAutomation(owner, automation.id, { filter: null }),
      200,
    );
    expect(cleared.filter).toBeUndefined();
    const resumed = await expectJson<Automation>(
      await patchAutomation(owner, automation.id, { enabled: true }),
      200,
    );
    expect(resumed).toMatchObject({ enabled: true, consecutiveFailures: 0 });
    const gone = await api(automationsPath(owner, `/${automation.id}`), { method: "DELETE" }, owner);
    expect(gone.status).toBe(204);
    expect((await api(automationsPath(owner, `/${automation.id}`), {}, owner)).status).toBe(404);
  });

  it("refuses a filter with a mistake with 400 naming the field and the position", async () => {
    const owner = await createTenant("auto-bad-filter");
    const res = await postJson(
      automationsPath(owner),
      webhookBody({ filter: 'payload.level == "error" &&' }),
      {},
      owner,
    );
    const body = await expectJson<{
      error: { message: string; issues: { path: string; message: string }[] };
    }>(res, 400);
    expect(body.error.message).toMatch(/filter: .*position \d+/);
    expect(body.error.issues[0]?.path).toBe("filter");
  });

  it("refuses a template with an unclosed substitution with 400 naming the position", async () => {
    const owner = await createTenant("auto-bad-template");
    const res = await postJson(
      automationsPath(owner),
      webhookBody({ promptTemplate: "Fix {{payload.title" }),
      {},
      owner,
    );
    const body = await expectJson<{ error: { message: string } }>(res, 400);
    expect(body.error.message).toMatch(/promptTemplate: .*\(at position \d+\)/);
  });

  it("refuses an empty prompt for a webhook, but gives a preset its default template", async () => {
    const owner = await createTenant("auto-empty-prompt");
    const empty = await postJson(automationsPath(owner), webhookBody({ promptTemplate: "  " }), {}, owner);
    expect((await expectJson<{ error: { message: string } }>(empty, 400)).error.message).toMatch(
      /promptTemplate/,
    );
    const sentry = await createAutomation(
      owner,
      webhookBody({ trigger: { kind: "sentry" }, promptTemplate: "" }),
    );
    expect(sentry.automation.promptTemplate).toContain("{{preset.");
    expect(sentry.secret).toBeTruthy();
    // A webhook automation's secret is always generated, never brought.
    const brought = await postJson(
      automationsPath(owner),
      webhookBody({ secret: "my-own-secret-for-a-webhook-0123" }),
      {},
      owner,
    );
    expect((await expectJson<{ error: { message: string } }>(brought, 400)).error.message).toMatch(/secret/);
  });

  it("refuses an invalid cron at save, and a schedule has no secret", async () => {
    const owner = await createTenant("auto-cron");
    const bad = await postJson(
      automationsPath(owner),
      webhookBody({ trigger: { kind: "schedule", cron: "61 * * * *", timezone: "Europe/Berlin" } }),
      {},
      owner,
    );
    expect((await expectJson<{ error: { message: string } }>(bad, 400)).error.message).toMatch(
      /trigger\.cron/,
    );
    const good = await createAutomation(
      owner,
      webhookBody({ trigger: { kind: "schedule", cron: "0 9 * * 1", timezone: "Europe/Berlin" } }),
    );
    expect(good.secret).toBeUndefined();
    expect(good.automation.nextRunAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("refuses a bad payload path for the repository or dedupe key with its position", async () => {
    const owner = await createTenant("auto-bad-path");
    const res = await postJson(
      automationsPath(owner),
      webhookBody({ repo: { mode: "payload", path: "payload.repository..full_name" } }),
      {},
      owner,
    );
    expect((await expectJson<{ error: { message: string } }>(res, 400)).error.message).toMatch(
      /repo\.path: .*position/,
    );
  });

  it("lets members read automations and their runs, and only admins change them (403)", async () => {
    const owner = await createTenant("auto-roles");
    const member = await joinTenant(owner, "member");
    const admin = await joinTenant(owner, "admin");
    const { automation } = await createAutomation(owner);
    expect((await api(automationsPath(owner), {}, member)).status).toBe(200);
    expect((await api(automationsPath(owner, `/${automation.id}/runs`), {}, member)).status).toBe(200);
    expect((await postJson(automationsPath(owner), webhookBody(), {}, member)).status).toBe(403);
    expect((await patchAutomation(member, automation.id, { enabled: false })).status).toBe(403);
    expect(
      (await api(automationsPath(owner, `/${automation.id}/rotate-secret`), { method: "POST" }, member))
        .status,
    ).toBe(403);
    expect(
      (await api(automationsPath(owner, `/${automation.id}`), { method: "DELETE" }, member)).status,
    ).toBe(403);
    expect(
      (await api(automationsPath(owner, `/${automation.id}/run`), { method: "POST" }, member)).status,
    ).toBe(403);
    expect((await postJson(automationsPath(owner), webhookBody(), {}, admin)).status).toBe(201);
  });

  it("an admin who edits another member's automation becomes the member it acts as", async () => {
    const owner = await createTenant("auto-acting");
    const admin = await joinTenant(owner, "admin");
    const { automation } = await createAutomation(owner);
    const paused = await expectJson<Automation>(
      await patchAutomation(admin, automation.id, { enabled: false }),
      200,
    );
    expect(paused.actingUserId).toBe(owner.userId);
    const edited = await expectJson<Automation>(
      await patchAutomation(admin, automation.id, { promptTemplate: "Now do {{payload.x}}" }),
      200,
    );
    expect(edited.actingUserId).toBe(admin.userId);
    const impersonate = await postJson(
      automationsPath(owner),
      webhookBody({ actingUserId: owner.userId }),
      {},
      admin,
    );
    expect(impersonate.status).toBe(403);
  });

  it("shows another tenant nothing: every automation route answers 404 for a foreign id", async () => {
    const a = await createTenant("auto-iso-a");
    const b = await createTenant("auto-iso-b");
    const { automation } = await createAutomation(a);
    const paths: [string, RequestInit][] = [
      ["", {}],
      ["", { method: "PATCH", headers: { "content-type": "application/json" }, body: '{"enabled":false}' }],
      ["", { method: "DELETE" }],
      ["/rotate-secret", { method: "POST" }],
      ["/run", { method: "POST" }],
      ["/test", { method: "POST", headers: { "content-type": "application/json" }, body: '{"payload":{}}' }],
      ["/runs", {}],
    ];
    for (const [rest, init] of paths) {
      const res = await api(automationsPath(b, `/${automation.id}${rest}`), init, b);
      expect(res.status, `${init.method ?? "GET"} ${rest}`).toBe(404);
      expect(await res.text()).not.toContain(automation.name);
    }
    const list = await expectJson<ListAutomationsResponse>(await api(automationsPath(b), {}, b), 200);
    expect(list.automations).toEqual([]);
    // A's automation still exists and still works for A.
    expect((await api(automationsPath(a, `/${automation.id}`), {}, a)).status).toBe(200);
  });

  it("rotating the secret shows a new one once; the old one keeps verifying (24 h grace)", async () => {
    const owner = await createTenant("auto-rotate");
    const created = await createAutomation(owner);
    const rotated = await expectJson<AutomationCreated>(
      await api(automationsPath(owner, `/${created.automation.id}/rotate-secret`), { method: "POST" }, owner),
      200,
    );
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const body = JSON.stringify({ alert: { title: "disk full" } });
    expect((await deliverSigned(created.automation.id, rotated.secret ?? "", { body })).status).toBe(202);
    expect((await deliverSigned(created.automation.id, created.secret ?? "", { body })).status).toBe(202);
    const other = await createAutomation(owner);
    // A secret of another automation does not open this one.
    expect((await deliverSigned(created.automation.id, other.secret ?? "", { body })).status).toBe(401);
  });

  it("the payload tester shows whether the filter matches and the rendered prompt, starting nothing", async () => {
    const owner = await createTenant("auto-tester");
    const { automation } = await createAutomation(owner, webhookBody({ filter: 'payload.level == "error"' }));
    const test = (payload: unknown) =>
      postJson(automationsPath(owner, `/${automation.id}/test`), { payload }, {}, owner);
    expect(await expectJson(await test({ level: "error", alert: { title: "disk full" } }), 200)).toEqual({
      matched: true,
      prompt: "Look into disk full",
      repo: "demo",
    });
    expect(await expectJson(await test({ level: "info" }), 200)).toMatchObject({ matched: false });
    const runs = await expectJson<AutomationRunsPage>(
      await api(automationsPath(owner, `/${automation.id}/runs`), {}, owner),
      200,
    );
    expect(runs.runs).toEqual([]);
  });

  it("run now starts a session linked to the automation and records the run", async () => {
    const owner = await createTenant("auto-run-now");
    const { automation } = await createAutomation(owner);
    const started = await expectJson<{ run: { outcome: string; sessionId: string }; sessionId: string }>(
      await postJson(
        automationsPath(owner, `/${automation.id}/run`),
        { payload: { alert: { title: "now" } } },
        {},
        owner,
      ),
      202,
    );
    expect(started.run.outcome).toBe("started");
    const session = await expectJson<{ trigger: string; automation: { id: string; name: string } }>(
      await api(`/api/v1/tenants/${owner.tenantId}/sessions/${started.sessionId}`, {}, owner),
      200,
    );
    expect(session).toMatchObject({
      trigger: "webhook",
      automation: { id: automation.id, name: "Triage alerts" },
    });
  });
});

describe("trigger-scoped API keys", () => {
  it("only admins create them, and a scoped key is refused on /api/v1", async () => {
    const owner = await createTenant("auto-key-scope");
    const member = await joinTenant(owner, "member");
    const { automation } = await createAutomation(owner);
    const scope = `automations:trigger:${automation.id}`;
    const keys = `/api/v1/tenants/${owner.tenantId}/api-keys`;
    const byMember = await postJson(keys, { name: "ci", scope }, {}, await browserHeaders(member.userId));
    expect(byMember.status).toBe(403);
    expect(await byMember.text()).toMatch(/automation manage/);
    const made = await expectJson<{ apiKey: ApiKey; key: string }>(
      await postJson(keys, { name: "ci", scope }, {}, await browserHeaders(owner.userId)),
      201,
    );
    expect(made.apiKey.scope).toBe(scope);
    const misuse = await api(
      `/api/v1/tenants/${owner.tenantId}/sessions`,
      {},
      { authorization: `Bearer ${made.key}` },
    );
    expect(misuse.status).toBe(401);
    const unknown = await postJson(
      keys,
      { name: "ci", scope: "automations:trigger:01aaaaaaaaaaaaaaaaaaaaaaaa" },
      {},
      await browserHeaders(owner.userId),
    );
    expect(unknown.status).toBe(404);
  });
});
