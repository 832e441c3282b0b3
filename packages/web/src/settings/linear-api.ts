/**
 * The tenant's Linear workspace (any member reads it; admins connect, disconnect and map teams to
 * repositories) and a member linking their Linear account from the one-time link the app sent them.
 */
import { z } from "zod";
import { apiRequest, tenantPath } from "../api/http-client";

export const LinearConnection = z.object({
  configured: z.boolean(),
  connected: z.boolean(),
  organization: z.object({ id: z.string(), name: z.string(), connectedAt: z.string() }).nullable(),
  teams: z.array(z.object({ teamId: z.string(), repository: z.string() })),
});
export type LinearConnection = z.infer<typeof LinearConnection>;

export const linearKey = ["settings", "linear"] as const;

export const getLinearConnection = () => apiRequest(tenantPath("/linear"), LinearConnection);

export const connectLinear = () =>
  apiRequest(tenantPath("/linear/connect"), z.object({ url: z.string() }), { method: "POST" }).then(
    (r) => r.url,
  );

export const disconnectLinear = () => apiRequest(tenantPath("/linear"), null, { method: "DELETE" });

export const setTeamRepository = (teamId: string, repository: string) =>
  apiRequest(tenantPath(`/linear/teams/${encodeURIComponent(teamId)}`), LinearConnection, {
    method: "PUT",
    body: { repository },
  });

export const removeTeamRepository = (teamId: string) =>
  apiRequest(tenantPath(`/linear/teams/${encodeURIComponent(teamId)}`), null, { method: "DELETE" });

export const linkLinearAccount = (tenantId: string, token: string) =>
  apiRequest(
    tenantPath("/linear/link", tenantId),
    z.object({ organizationId: z.string(), resumed: z.boolean() }),
    { method: "POST", body: { token } },
  );
