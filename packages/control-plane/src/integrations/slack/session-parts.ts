/**
 * The deployment's bindings turned into what the session DO's Slack side uses, so SessionSlack
 * never sees `Bindings` or D1 and a unit test can hand it plain functions.
 */
import { openDatabase } from "../../db/client";
import { findSlackInstallation } from "../../db/repositories/slack";
import type { Bindings } from "../../env";
import type { MetaStore } from "../../session/meta-store";
import type { Scheduler } from "../../session/scheduler";
import { SlackApi } from "./api-client";
import { slackConfigOrNull } from "./config";
import { SessionSlack } from "./session-slack";
import { openBotToken } from "./token";

const DEFAULT_PUBLIC_URL = "http://127.0.0.1:8787";

export function sessionSlackFor(
  env: Bindings,
  meta: MetaStore,
  scheduler: Pick<Scheduler, "set">,
  pullPending: () => boolean,
  now: () => number,
): SessionSlack {
  return new SessionSlack({
    meta,
    scheduler,
    publicUrl: env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL,
    async api(session) {
      const config = slackConfigOrNull(env);
      if (!config || !session.slack) return null;
      const row = await findSlackInstallation(openDatabase(env.DB), session.slack.teamId);
      // A workspace now held by another tenant never gets this tenant's session.
      if (!row || row.tenantId !== session.tenantId) return null;
      return new SlackApi(config.apiUrl, await openBotToken(env, row));
    },
    pullPending,
    now,
  });
}
