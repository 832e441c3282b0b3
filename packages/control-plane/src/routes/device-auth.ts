/**
 * `nightshift login` by browser (RFC 8628). /auth/device and /auth/device/token are public: the
 * CLI has no credential yet, and the device code it polls with is its proof. The approval
 * routes sit under a tenant path, so the tenant chosen and the caller's membership and role in it
 * go through the same checks as every tenant route; only a signed-in browser may decide.
 */
import {
  ApproveDeviceRequest,
  DeviceTokenRequest,
  StartDeviceAuthRequest,
  UserCode,
} from "@nightshift/protocol";
import { Hono } from "hono";
import { z } from "zod";
import * as device from "../device-auth/service";
import type { AppEnv } from "../env";
import { jsonBody, paramsOf } from "../http/validate";
import { readAuthConfig } from "../tenancy/auth-config";
import { siteOrigin } from "../tenancy/request-origin";

/** Nothing between the Worker and the CLI may keep a copy of a code or a key. */
const NO_STORE = { "cache-control": "no-store" };

export const deviceAuthRoutes = new Hono<AppEnv>()
  .post("/", jsonBody(StartDeviceAuthRequest, { optional: true }), async (c) => {
    const started = await device.startDeviceAuthorization(c.env, {
      clientName: c.req.valid("json").client_name,
      requester: c.req.header("cf-connecting-ip") ?? "unknown",
      siteOrigin: siteOrigin(readAuthConfig(c.env), c.req.raw),
    });
    return c.json(started, 200, NO_STORE);
  })
  .post("/token", jsonBody(DeviceTokenRequest), async (c) => {
    const token = await device.pollDeviceToken(c.env, c.req.valid("json").device_code);
    return c.json(token, 200, NO_STORE);
  });

const codeParams = paramsOf(z.object({ userCode: UserCode }));

export const deviceApprovalRoutes = new Hono<AppEnv>()
  .get("/:userCode", codeParams, async (c) =>
    c.json(await device.lookupDeviceAuthorization(c.env, c.var.actor, c.req.valid("param").userCode)),
  )
  .post("/:userCode/approve", codeParams, jsonBody(ApproveDeviceRequest, { optional: true }), async (c) =>
    c.json(
      await device.decideDeviceAuthorization(c.env, c.var.actor, c.req.valid("param").userCode, {
        approve: true,
        request: c.req.valid("json"),
      }),
    ),
  )
  .post("/:userCode/deny", codeParams, async (c) =>
    c.json(
      await device.decideDeviceAuthorization(c.env, c.var.actor, c.req.valid("param").userCode, {
        approve: false,
      }),
    ),
  );
