/** OpenAPI descriptions of the tenant's GitHub, Linear and Slack connections. */
import { ConnectGithubResponse, GithubConnectionResponse } from "@nightshift/protocol";
import { z } from "zod";
import type { LinearConnection } from "../integrations/linear/install";
import type { SlackConnection } from "../integrations/slack/install";
import { noContent, type RouteDoc, type RouteDocs, T } from "./route-doc";

/**
 * The Linear and Slack connection views are TypeScript interfaces in their services; these
 * schemas describe them, and the type checks below fail the build when the two drift apart.
 */
const LinearConnectionView = z.object({
  configured: z.boolean(),
  connected: z.boolean(),
  organization: z.object({ id: z.string(), name: z.string(), connectedAt: z.string() }).nullable(),
  teams: z.array(z.object({ teamId: z.string(), repository: z.string() })),
});
const SlackConnectionView = z.object({
  configured: z.boolean(),
  connected: z.boolean(),
  workspace: z.object({ id: z.string(), name: z.string(), connectedAt: z.string() }).nullable(),
  channels: z.array(z.object({ channelId: z.string(), repository: z.string() })),
});
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const linearViewMatches: Same<z.infer<typeof LinearConnectionView>, LinearConnection> = true;
const slackViewMatches: Same<z.infer<typeof SlackConnectionView>, SlackConnection> = true;
void linearViewMatches;
void slackViewMatches;

const InstallUrl = z.object({ url: z.string().describe("where to send the browser to install the app") });
const Repository = z.strictObject({
  repository: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/)
    .describe("owner/repo"),
});
const SlackLink = z.strictObject({ token: z.string().min(1).max(4_000) });

const integration = (
  tag: string,
  summary: string,
  extra: Omit<RouteDoc, "summary" | "tag" | "access">,
): RouteDoc => ({ summary, tag, access: "tenant", ...extra });

export const integrationDocs: RouteDocs = {
  [`GET ${T}/github`]: integration("github", "The tenant's GitHub App installations", {
    responses: { 200: { description: "the connection", schema: GithubConnectionResponse } },
  }),
  [`POST ${T}/github/connect`]: integration("github", "Start installing the GitHub App (admins)", {
    responses: { 200: { description: "the install URL", schema: ConnectGithubResponse } },
  }),
  [`DELETE ${T}/github/installations/:installationId`]: integration("github", "Unlink an installation", {
    params: {
      installationId: z
        .string()
        .regex(/^[1-9][0-9]{0,15}$/)
        .describe("GitHub's installation id"),
    },
    responses: noContent("unlinked"),
  }),
  [`GET ${T}/linear`]: integration("linear", "The tenant's Linear workspace and team mappings", {
    responses: { 200: { description: "the connection", schema: LinearConnectionView } },
  }),
  [`POST ${T}/linear/connect`]: integration("linear", "Start installing the Linear app (admins)", {
    responses: { 200: { description: "the install URL", schema: InstallUrl } },
  }),
  [`DELETE ${T}/linear`]: integration("linear", "Disconnect Linear", {
    responses: noContent("disconnected"),
  }),
  [`PUT ${T}/linear/teams/:teamId`]: integration("linear", "Map a Linear team to a repository", {
    params: {
      teamId: z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/)
        .describe("a Linear team id (a UUID)"),
    },
    body: Repository,
    responses: { 200: { description: "the connection", schema: LinearConnectionView } },
  }),
  [`DELETE ${T}/linear/teams/:teamId`]: integration("linear", "Remove a team's repository mapping", {
    params: { teamId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) },
    responses: noContent("removed"),
  }),
  [`GET ${T}/slack`]: integration("slack", "The tenant's Slack workspace and channel defaults", {
    responses: { 200: { description: "the connection", schema: SlackConnectionView } },
  }),
  [`POST ${T}/slack/connect`]: integration("slack", "Start installing the Slack app (admins)", {
    responses: { 200: { description: "the install URL", schema: InstallUrl } },
  }),
  [`DELETE ${T}/slack`]: integration("slack", "Disconnect Slack", { responses: noContent("disconnected") }),
  [`PUT ${T}/slack/channels/:channelId`]: integration("slack", "Set a channel's default repository", {
    params: {
      channelId: z
        .string()
        .regex(/^[A-Z0-9]{1,32}$/)
        .describe("a Slack channel id"),
    },
    body: Repository,
    responses: { 200: { description: "the connection", schema: SlackConnectionView } },
  }),
  [`DELETE ${T}/slack/channels/:channelId`]: integration("slack", "Remove a channel's default repository", {
    params: { channelId: z.string().regex(/^[A-Z0-9]{1,32}$/) },
    responses: noContent("removed"),
  }),
  [`POST ${T}/slack/link`]: integration(
    "slack",
    "Link the caller's Slack account (token from the bot's DM)",
    {
      body: SlackLink,
      responses: { 200: { description: "linked", schema: z.object({ teamId: z.string() }) } },
    },
  ),
};
