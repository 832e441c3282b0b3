export { type ClientOptions, createClient, type NightshiftClient } from "./client.ts";
export { ApiError, type FieldIssue, NetworkError, RequestValidationError } from "./errors.ts";
export type { StreamOptions, StreamState } from "./stream.ts";
