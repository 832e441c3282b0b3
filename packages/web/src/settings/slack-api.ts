/**
 * The tenant's Slack workspace (any member reads it; admins connect, disconnect and set channel
 * defaults) and a member linking their Slack account from the one-time link the app sent them.
 */
import { z } from "zod";
import { apiRequest, tenantPath } from "../api/http-client";

export const SlackConnection = z.object({
  configured: z.boolean(),
  connected: z.boolean(),
  workspace: z.object({ id: z.string(), name: z.string(), connectedAt: z.string() }).nullable(),
  channels: z.array(z.object({ channelId: z.string(), repository: z.string() })),
});
export type SlackConnection = z.infer<typeof SlackConnection>;

export const slackKey = ["settings", "slack"] as const;

export const getSlackConnection = () => apiRequest(tenantPath("/slack"), SlackConnection);

export const connectSlack = () =>
  apiRequest(tenantPath("/slack/connect"), z.object({ url: z.string() }), { method: "POST" }).then(
    (r) => r.url,
  );

export const disconnectSlack = () => apiRequest(tenantPath("/slack"), null, { method: "DELETE" });

export const setChannelDefault = (channelId: string, repository: string) =>
  apiRequest(tenantPath(`/slack/channels/${encodeURIComponent(channelId)}`), SlackConnection, {
    method: "PUT",
    body: { repository },
  });

export const removeChannelDefault = (channelId: string) =>
  apiRequest(tenantPath(`/slack/channels/${encodeURIComponent(channelId)}`), null, { method: "DELETE" });

export const linkSlackAccount = (tenantId: string, token: string) =>
  apiRequest(tenantPath("/slack/link", tenantId), z.object({ teamId: z.string() }), {
    method: "POST",
    body: { token },
  });
