/**
 * Headers the Worker sets on requests it forwards to a SessionAgent (WebSocket upgrades only).
 * The DO is not reachable from outside, so only the Worker can set them.
 */
export const INTERNAL_TENANT_HEADER = "x-nightshift-tenant";
export const INTERNAL_PARTICIPANT_HEADER = "x-nightshift-participant";
/** The participant's display name, from the signed-in principal (never from the query string). */
export const INTERNAL_PARTICIPANT_NAME_HEADER = "x-nightshift-participant-name";
export const INTERNAL_INCARNATION_HEADER = "x-nightshift-incarnation";
export const INTERNAL_SOCKET_HEADER = "x-nightshift-socket";
/** The sandbox token's jti and issue time, so the DO can renew that token on the live socket. */
export const INTERNAL_TOKEN_ID_HEADER = "x-nightshift-token-id";
export const INTERNAL_TOKEN_ISSUED_HEADER = "x-nightshift-token-issued";
