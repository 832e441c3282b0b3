/**
 * /api/v1/tenants/:tenantId/secrets: write-only secrets. `?repo=<RepoKey>` selects a repository's
 * secret instead of the tenant-wide one of the same name.
 */
import { PutSecretRequest, SecretName, SecretScopeQuery, unsafeSecretNameReason } from "@nightshift/protocol";
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { parseJsonBody, parseQuery } from "../http/validate";
import * as secrets from "../services/secrets";

function nameParam(c: Context): string {
  const raw = c.req.param("name") ?? "";
  const parsed = SecretName.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      "invalid_request",
      `invalid secret name: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

/**
 * A name a secret may be set under: not one that changes how a loader, interpreter, shell or git
 * behaves in the sandbox. Deleting stays possible for names stored before the rule.
 */
function settableName(c: Context): string {
  const name = nameParam(c);
  const unsafe = unsafeSecretNameReason(name);
  if (unsafe) throw new AppError("invalid_request", `invalid secret name: ${unsafe}`);
  return name;
}

export const secretRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await secrets.listSecrets(c.env, c.var.actor)))
  .put("/:name", async (c) => {
    const name = settableName(c);
    const scope = parseQuery(c, SecretScopeQuery);
    const body = await parseJsonBody(c, PutSecretRequest);
    const { secret, created } = await secrets.putSecret(c.env, c.var.actor, name, scope, body);
    return c.json(secret, created ? 201 : 200);
  })
  .delete("/:name", async (c) => {
    await secrets.deleteSecret(c.env, c.var.actor, nameParam(c), parseQuery(c, SecretScopeQuery));
    return c.body(null, 204);
  });
