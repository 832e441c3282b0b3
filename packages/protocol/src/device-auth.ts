/**
 * `nightshift login` by browser: the device authorization flow of RFC 8628, over JSON. The CLI
 * starts it (POST /auth/device), shows the user code and the verification URL, and polls
 * POST /auth/device/token; a signed-in user approves the code in the dashboard for one tenant and
 * role, and the next poll returns a new API key. Field names follow the RFC.
 */
import { z } from "zod";
import { ApiKey, Role } from "./tenancy.ts";

/** How long a started sign-in waits for approval. */
export const DEVICE_CODE_TTL_SECONDS = 600;
/** The polling interval the CLI starts with; `slow_down` adds 5 s each time (RFC 8628 §3.5). */
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
/** Keys minted by a device sign-in expire after this many days unless the approver picks otherwise. */
export const DEVICE_KEY_EXPIRES_IN_DAYS = 90;
/** RFC 8628 §6.1: consonants only (no vowels, so no words), case-insensitive, easy to read aloud. */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
export const USER_CODE_LENGTH = 8;

/** The code as shown: `WDJB-MJHT`. */
export function formatUserCode(normalized: string): string {
  return `${normalized.slice(0, 4)}-${normalized.slice(4)}`;
}

/** A user code as a person types it: any case, with or without the dash or spaces. */
export const UserCode = z
  .string()
  .max(32)
  .transform((s) => s.toUpperCase().replace(/[\s-]/g, ""))
  .pipe(
    z
      .string()
      .regex(
        new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`),
        "a code is 8 letters, like WDJB-MJHT, as shown in your terminal",
      ),
  );

export const StartDeviceAuthRequest = z.strictObject({
  /** Shown to the approver so they can tell which terminal asked (e.g. "nightshift CLI on laptop"). */
  client_name: z.string().trim().min(1).max(100).optional(),
});
export type StartDeviceAuthRequest = z.infer<typeof StartDeviceAuthRequest>;

export const DeviceAuthorization = z.object({
  /** The CLI's secret for polling; never shown to the person. */
  device_code: z.string(),
  /** What the person checks in the browser, formatted `XXXX-XXXX`. */
  user_code: z.string(),
  verification_uri: z.string(),
  /** The verification page with the code filled in. */
  verification_uri_complete: z.string(),
  expires_in: z.number().int().positive(),
  interval: z.number().int().positive(),
});
export type DeviceAuthorization = z.infer<typeof DeviceAuthorization>;

export const DeviceTokenRequest = z.strictObject({ device_code: z.string().min(1).max(200) });
export type DeviceTokenRequest = z.infer<typeof DeviceTokenRequest>;

/** The approved sign-in: a new API key (shown this once) acting in `tenantId`. */
export const DeviceTokenResponse = z.object({
  key: z.string(),
  apiKey: ApiKey,
  tenantId: z.string(),
});
export type DeviceTokenResponse = z.infer<typeof DeviceTokenResponse>;

/** A pending sign-in, as the approval page shows it. */
export const PendingDeviceAuthorization = z.object({
  userCode: z.string(),
  clientName: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type PendingDeviceAuthorization = z.infer<typeof PendingDeviceAuthorization>;

export const ApproveDeviceRequest = z.strictObject({
  /** The key's role; defaults to the approver's own and is never above it. */
  role: Role.optional(),
  expiresInDays: z.number().int().min(1).max(3650).default(DEVICE_KEY_EXPIRES_IN_DAYS),
});
export type ApproveDeviceRequest = z.infer<typeof ApproveDeviceRequest>;

export const DeviceDecision = z.object({
  status: z.enum(["approved", "denied"]),
  tenantId: z.string(),
  role: Role.nullable(),
});
export type DeviceDecision = z.infer<typeof DeviceDecision>;
