/**
 * The Hono app: middleware (request id, body limit), public routes, then for /api/v1 the
 * authentication → tenant → policy chain (tenancy/), the routes, and one error mapping.
 */
import { CONVERSATION_MAX_BYTES, SANDBOX_CONVERSATION_PATH } from "@nightshift/protocol";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { analyticsRoutes } from "./analytics/routes";
import { budgetRoutes } from "./budgets/routes";
import type { AppEnv } from "./env";
import { AppError } from "./http/app-error";
import { renderError } from "./http/error-handler";
import { requestId } from "./http/request-id";
import { openApiRoutes } from "./openapi/routes";
import { agentRoutes } from "./routes/agents";
import { apiKeyRoutes } from "./routes/api-keys";
import { auditRoutes } from "./routes/audit";
import { authRoutes } from "./routes/auth";
import { automationWebhookRoutes } from "./routes/automation-webhooks";
import { automationRoutes } from "./routes/automations";
import { deviceApprovalRoutes, deviceAuthRoutes } from "./routes/device-auth";
import { githubRoutes } from "./routes/github";
import { healthRoutes } from "./routes/health";
import { linearAuthRoutes, linearRoutes, sessionLinearIssueRoutes } from "./routes/linear";
import { meRoutes } from "./routes/me";
import { memberRoutes } from "./routes/members";
import { myModelAccountRoutes, tenantModelAccountRoutes } from "./routes/model-accounts";
import { repositoryRoutes } from "./routes/repositories";
import { sandboxRoutes } from "./routes/sandbox";
import { sandboxBootstrapRoutes } from "./routes/sandbox-bootstrap";
import { sandboxConversationRoutes } from "./routes/sandbox-conversation";
import { sandboxGitRoutes } from "./routes/sandbox-git";
import { sandboxModelRoutes } from "./routes/sandbox-model";
import { secretRoutes } from "./routes/secrets";
import { sessionRoutes } from "./routes/sessions";
import { settingsRoutes } from "./routes/settings";
import { sessionSlackThreadRoutes, slackAuthRoutes, slackRoutes } from "./routes/slack";
import { tenantDirectoryRoutes, tenantRoutes } from "./routes/tenants";
import { webhookRoutes } from "./routes/webhooks";
import { authenticate } from "./tenancy/authenticate";
import { enforcePolicy } from "./tenancy/route-policy";
import { resolveTenant } from "./tenancy/tenant-context";
import { warmStartRoutes } from "./warm/routes";

const DEFAULT_MAX_BODY = 256 * 1024;
/** Model calls carry whole conversations; the providers themselves accept up to 32 MB. */
const MODEL_GATEWAY_MAX_BODY = 32 * 1024 * 1024;

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestId);
  app.use("*", async (c, next) => {
    // A push carries a whole pack: the git proxy streams it and applies its own bound.
    if (c.req.path.startsWith("/sandbox/git/")) return next();
    const maxSize = c.req.path.startsWith("/sandbox/model/")
      ? MODEL_GATEWAY_MAX_BODY
      : c.req.path === SANDBOX_CONVERSATION_PATH
        ? CONVERSATION_MAX_BYTES
        : Number(c.env.MAX_BODY_BYTES) || DEFAULT_MAX_BODY;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError("payload_too_large", `request body is larger than ${maxSize} bytes`);
      },
    })(c, next);
  });
  app.route("/api/v1/health", healthRoutes);
  app.route("/api/v1/openapi.json", openApiRoutes);
  // Sandboxes authenticate with their own token, not as users.
  app.route("/sandbox/model", sandboxModelRoutes);
  app.route("/sandbox/git", sandboxGitRoutes);
  app.route(SANDBOX_CONVERSATION_PATH, sandboxConversationRoutes);
  app.route("/sandbox/bootstrap", sandboxBootstrapRoutes);
  app.route("/sandbox", sandboxRoutes);
  app.route("/auth/slack", slackAuthRoutes);
  app.route("/auth/linear", linearAuthRoutes);
  app.route("/auth/device", deviceAuthRoutes);
  app.route("/auth", authRoutes);
  // An automation's inbound webhook: signed with its own secret, or a key scoped to triggering it.
  app.route("/webhooks/in", automationWebhookRoutes);
  // Signed by the integration (HMAC over the raw body), not by a user.
  app.route("/webhooks", webhookRoutes);
  // Every other /api/v1 route needs a caller; the next two need no tenant (they list the caller's).
  app.use("/api/v1/*", authenticate);
  app.route("/api/v1/me", meRoutes);
  app.route("/api/v1/tenants", tenantDirectoryRoutes);
  // From here on: one tenant, proven membership, and the route's policy (tenancy/route-policy.ts).
  app.use("/api/v1/*", resolveTenant, enforcePolicy);
  app.route("/api/v1/sessions", sessionRoutes);
  app.route("/api/v1/sessions", sessionSlackThreadRoutes);
  app.route("/api/v1/sessions", sessionLinearIssueRoutes);
  // The caller's own model accounts need a tenant (they are per tenant and user), unlike /me itself.
  app.route("/api/v1/me/model-accounts", myModelAccountRoutes);
  app.route("/api/v1/tenants/:tenantId/me/model-accounts", myModelAccountRoutes);
  app.route("/api/v1/tenants/:tenantId/settings/model-accounts", tenantModelAccountRoutes);
  app.route("/api/v1/repositories", repositoryRoutes);
  app.route("/api/v1/agents", agentRoutes);
  app.route("/api/v1/tenants/:tenantId/agents", agentRoutes);
  app.route("/api/v1/tenants/:tenantId/repositories", repositoryRoutes);
  app.route("/api/v1/tenants/:tenantId/sessions", sessionRoutes);
  app.route("/api/v1/tenants/:tenantId/sessions", sessionSlackThreadRoutes);
  app.route("/api/v1/tenants/:tenantId/sessions", sessionLinearIssueRoutes);
  app.route("/api/v1/tenants/:tenantId", tenantRoutes);
  app.route("/api/v1/tenants/:tenantId/members", memberRoutes);
  app.route("/api/v1/tenants/:tenantId/api-keys", apiKeyRoutes);
  app.route("/api/v1/tenants/:tenantId/device-authorizations", deviceApprovalRoutes);
  app.route("/api/v1/tenants/:tenantId/secrets", secretRoutes);
  app.route("/api/v1/tenants/:tenantId/audit", auditRoutes);
  app.route("/api/v1/tenants/:tenantId/automations", automationRoutes);
  app.route("/api/v1/tenants/:tenantId/settings", settingsRoutes);
  app.route("/api/v1/tenants/:tenantId/github", githubRoutes);
  app.route("/api/v1/tenants/:tenantId/linear", linearRoutes);
  app.route("/api/v1/tenants/:tenantId/slack", slackRoutes);
  app.route("/api/v1/tenants/:tenantId/warm-start", warmStartRoutes);
  app.route("/api/v1/tenants/:tenantId/budget", budgetRoutes);
  app.route("/api/v1/tenants/:tenantId", analyticsRoutes);
  app.notFound((c) =>
    renderError(new AppError("not_found", `no route for ${c.req.method} ${c.req.path}`), c),
  );
  app.onError(renderError);
  return app;
}
