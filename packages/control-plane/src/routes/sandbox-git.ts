/**
 * /sandbox/git/*: git smart HTTP for sandboxes (git-proxy/). The sandbox's remote points here and
 * authenticates with its sandbox token; the forge credential is added upstream and never sent back.
 * Mounted outside the global body limit: a push carries a whole pack (git-proxy/ bounds it).
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { handleGitRequest } from "../git-proxy/proxy";

export const sandboxGitRoutes = new Hono<AppEnv>().on(["GET", "POST"], "/*", (c) =>
  handleGitRequest(c.env, c.req.raw, (work) => c.executionCtx.waitUntil(work)),
);
