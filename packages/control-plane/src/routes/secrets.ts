/**
 * /api/v1/tenants/:tenantId/secrets: write-only secrets. `?repo=<RepoKey>` selects a repository's
 * secret instead of the tenant-wide one of the same name.
 */
import { PutSecretRequest, SecretName, SecretScopeQuery, unsafeSecretNameReason } from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { type Issue, jsonBody, paramsOf, queryOf } from "../http/validate";
import * as secrets from "../services/secrets";

const badName = (_raw: Record<string, string>, issues: Issue[]) =>
  new AppError("invalid_request", `invalid secret name: ${issues[0]?.message ?? "invalid"}`);

/** Any well-formed name: deleting stays possible for names stored before the rule below. */
const nameParams = paramsOf(z.object({ name: SecretName }), badName);

/**
 * A name a secret may be set under: not one that changes how a loader, interpreter, shell or git
 * behaves in the sandbox.
 */
const settableNameParams = paramsOf(
  z.object({
    name: SecretName.superRefine((name, ctx) => {
      const unsafe = unsafeSecretNameReason(name);
      if (unsafe) ctx.addIssue({ code: "custom", message: unsafe });
    }),
  }),
  badName,
);

export const secretRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await secrets.listSecrets(c.env, c.var.actor)))
  .put("/:name", settableNameParams, queryOf(SecretScopeQuery), jsonBody(PutSecretRequest), async (c) => {
    const { name } = c.req.valid("param");
    const scope = c.req.valid("query");
    const body = c.req.valid("json");
    const { secret, created } = await secrets.putSecret(c.env, c.var.actor, name, scope, body);
    return c.json(secret, created ? 201 : 200);
  })
  .delete("/:name", nameParams, queryOf(SecretScopeQuery), async (c) => {
    await secrets.deleteSecret(c.env, c.var.actor, c.req.valid("param").name, c.req.valid("query"));
    return c.body(null, 204);
  });
