/** OpenAPI descriptions of `nightshift login` by browser (RFC 8628) and of this document itself. */
import {
  ApproveDeviceRequest,
  DeviceAuthorization,
  DeviceDecision,
  DeviceTokenRequest,
  DeviceTokenResponse,
  PendingDeviceAuthorization,
  StartDeviceAuthRequest,
  UserCode,
} from "@nightshift/protocol";
import { z } from "zod";
import { type RouteDocs, T } from "./route-doc";

const code = { userCode: UserCode.describe("the code shown in the terminal, e.g. WDJB-MJHT") };

export const deviceDocs: RouteDocs = {
  "GET /api/v1/openapi.json": {
    summary: "This document (OpenAPI 3.1)",
    tag: "meta",
    access: "public",
    responses: {
      200: { description: "the API's description", schema: z.object({ openapi: z.string() }).loose() },
      304: { description: "unchanged since the ETag sent in If-None-Match" },
    },
  },
  "POST /auth/device": {
    summary: "Start a device sign-in (nightshift login)",
    description:
      "Answers a device code (the caller's secret for polling) and a user code for the person to check at " +
      "`verification_uri`. Limited per address. Codes live 10 minutes and are stored hashed.",
    tag: "device-login",
    access: "public",
    body: StartDeviceAuthRequest,
    bodyOptional: true,
    responses: { 200: { description: "the codes and where to approve them", schema: DeviceAuthorization } },
    errors: [429],
  },
  "POST /auth/device/token": {
    summary: "Poll for the device sign-in's API key",
    description:
      "Until a decision: 400 `authorization_pending`; polled faster than `interval`: 400 `slow_down` (wait " +
      "5 s more from then on); denied: 400 `access_denied`; expired, unknown or already used: 400 " +
      "`expired_token`. Once approved, one poll answers a new API key (shown this once).",
    tag: "device-login",
    access: "public",
    body: DeviceTokenRequest,
    responses: { 200: { description: "the new API key", schema: DeviceTokenResponse } },
  },
  [`GET ${T}/device-authorizations/:userCode`]: {
    summary: "Look up a pending device sign-in by its user code (signed-in browser)",
    tag: "device-login",
    access: "tenant",
    params: code,
    responses: { 200: { description: "the pending sign-in", schema: PendingDeviceAuthorization } },
    errors: [429],
  },
  [`POST ${T}/device-authorizations/:userCode/approve`]: {
    summary: "Approve a device sign-in for this tenant (signed-in browser)",
    description:
      "The CLI's next poll receives an API key for the approver in this tenant, at `role` (default: the approver's own, never above it).",
    tag: "device-login",
    access: "tenant",
    params: code,
    body: ApproveDeviceRequest,
    bodyOptional: true,
    responses: { 200: { description: "approved", schema: DeviceDecision } },
    errors: [409, 429],
  },
  [`POST ${T}/device-authorizations/:userCode/deny`]: {
    summary: "Deny a device sign-in (signed-in browser)",
    tag: "device-login",
    access: "tenant",
    params: code,
    responses: { 200: { description: "denied", schema: DeviceDecision } },
    errors: [409, 429],
  },
};
