/**
 * The Modal app's request rules (packages/modal-app/sandboxes/requests.py), mirrored so the
 * double refuses what the real app refuses, with the same codes and field-naming messages.
 */
import { z } from "zod";

export const BOOTSTRAP_VARIABLES = [
  "NIGHTSHIFT_BOOTSTRAP_TOKEN",
  "NIGHTSHIFT_CONTROL_PLANE_URL",
  "NIGHTSHIFT_SESSION_ID",
] as const;
export const REQUIRED_LABELS = ["nightshift.tenant", "nightshift.session", "nightshift.incarnation"] as const;
const ALLOWED_LABELS = new Set<string>([...REQUIRED_LABELS, "nightshift.deployment"]);
const MAX_ALLOW_HOSTS = 100;
const MAX_VALUE_LENGTH = 8 * 1024;
const LABEL_VALUE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const HOST_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$/;
const SNAPSHOT_ID = /^im-[A-Za-z0-9]{1,64}$/;
export const SANDBOX_ID = /^sb-[A-Za-z0-9]{1,64}$/;

export interface CreateRequest {
  env: Record<string, string>;
  labels: Record<string, string>;
  allowHosts: string[];
  snapshotId: string | null;
}

export class InvalidRequest extends Error {}

const StringMap = z.record(z.string(), z.string());

function stringMap(value: unknown, where: string): Record<string, string> {
  const parsed = StringMap.safeParse(value);
  if (!parsed.success || Array.isArray(value))
    throw new InvalidRequest(`${where} must be an object of strings`);
  for (const [key, item] of Object.entries(parsed.data)) {
    if (item.length > MAX_VALUE_LENGTH)
      throw new InvalidRequest(`${where}.${key} is longer than ${MAX_VALUE_LENGTH} characters`);
  }
  return parsed.data;
}

function checkEnv(env: Record<string, string>): void {
  const allowed = new Set<string>(BOOTSTRAP_VARIABLES);
  const extra = Object.keys(env)
    .filter((name) => !allowed.has(name))
    .sort();
  if (extra.length > 0)
    throw new InvalidRequest(
      `env may carry only the bootstrap variables (${BOOTSTRAP_VARIABLES.join(", ")}); refused: ${extra.join(", ")}`,
    );
  const missing = BOOTSTRAP_VARIABLES.filter((name) => !(name in env));
  if (missing.length > 0) throw new InvalidRequest(`env is missing ${missing.join(", ")}`);
  let url: URL | null = null;
  try {
    url = new URL(env.NIGHTSHIFT_CONTROL_PLANE_URL ?? "");
  } catch {
    url = null;
  }
  if (!url || !["http:", "https:"].includes(url.protocol) || !url.hostname)
    throw new InvalidRequest("env.NIGHTSHIFT_CONTROL_PLANE_URL must be an http(s) URL with a host");
}

function checkLabels(labels: Record<string, string>): void {
  const unknown = Object.keys(labels)
    .filter((name) => !ALLOWED_LABELS.has(name))
    .sort();
  if (unknown.length > 0)
    throw new InvalidRequest(
      `labels may be only ${[...ALLOWED_LABELS].sort().join(", ")}; refused: ${unknown.join(", ")}`,
    );
  for (const name of REQUIRED_LABELS) {
    if (!(name in labels)) throw new InvalidRequest(`labels.${name} is required`);
  }
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_VALUE.test(value))
      throw new InvalidRequest(`labels.${name} must be 1-100 letters, digits, dots, dashes or underscores`);
  }
}

function allowHosts(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_ALLOW_HOSTS)
    throw new InvalidRequest(`allowHosts must be a list of at most ${MAX_ALLOW_HOSTS} host names`);
  value.forEach((host, index) => {
    if (typeof host !== "string" || host.length > 253 || !HOST_PATTERN.test(host))
      throw new InvalidRequest(
        `allowHosts[${index}] must be a DNS name such as registry.npmjs.org or *.example.com`,
      );
  });
  return value as string[];
}

export function parseCreate(body: unknown): CreateRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new InvalidRequest("the body must be a JSON object");
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record)
    .filter((key) => !["env", "labels", "allowHosts", "snapshotId"].includes(key))
    .sort();
  if (unknown.length > 0) throw new InvalidRequest(`unknown field(s): ${unknown.join(", ")}`);
  const env = stringMap(record.env, "env");
  checkEnv(env);
  const labels = stringMap(record.labels, "labels");
  checkLabels(labels);
  const snapshotId = record.snapshotId;
  if (
    snapshotId !== undefined &&
    snapshotId !== null &&
    (typeof snapshotId !== "string" || !SNAPSHOT_ID.test(snapshotId))
  )
    throw new InvalidRequest("snapshotId must be a Modal image id (im-...)");
  return {
    env,
    labels,
    allowHosts: allowHosts(record.allowHosts),
    snapshotId: typeof snapshotId === "string" ? snapshotId : null,
  };
}

/** `?label=<name>=<value>` pairs as a filter; only Nightshift labels. */
export function parseLabelFilter(params: URLSearchParams): Record<string, string> {
  const wanted: Record<string, string> = {};
  for (const [key, raw] of params) {
    if (key !== "label")
      throw new InvalidRequest(`unknown query parameter '${key}'; filter with label=<name>=<value>`);
    const at = raw.indexOf("=");
    const name = at < 0 ? "" : raw.slice(0, at);
    const value = at < 0 ? "" : raw.slice(at + 1);
    if (!ALLOWED_LABELS.has(name) || !LABEL_VALUE.test(value))
      throw new InvalidRequest(
        `label filters look like label=<one of ${[...ALLOWED_LABELS].sort().join(", ")}>=<value>`,
      );
    wanted[name] = value;
  }
  return wanted;
}

/**
 * The snapshot body `{purpose?}` ("resume" when absent or empty: what an older provider sent).
 */
export function parseSnapshotPurpose(body: unknown): "warm" | "resume" {
  if (body === null || body === undefined) return "resume";
  if (typeof body !== "object" || Array.isArray(body)) throw new InvalidRequest("the body must be an object");
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => key !== "purpose");
  if (unknown.length > 0) throw new InvalidRequest(`unknown field(s): ${unknown.sort().join(", ")}`);
  if (record.purpose === undefined) return "resume";
  if (record.purpose !== "warm" && record.purpose !== "resume")
    throw new InvalidRequest("purpose must be warm or resume");
  return record.purpose;
}

const SESSION_ID = /^[0-9a-z]{26}$/;

/**
 * The name the app records a snapshot under (sandboxes/snapshots.py): `nightshift-<purpose>-<deployment
 * tag>-<session>-<time>`, the tag "x" for an unnamed deployment or 8 hex digits of its SHA-256; a
 * session id that is not a ULID gives `nightshift-<purpose>-<sandbox id>-<time>`, a name no sweep matches.
 */
export async function snapshotName(
  purpose: "warm" | "resume",
  labels: Record<string, string>,
  sandboxId: string,
  now: number,
): Promise<string> {
  const time = now.toString(36);
  const session = labels["nightshift.session"] ?? "";
  if (!SESSION_ID.test(session)) return `nightshift-${purpose}-${sandboxId}-${time}`;
  const deployment = labels["nightshift.deployment"];
  let tag = "x";
  if (deployment) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(deployment));
    tag = [...new Uint8Array(digest).slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  return `nightshift-${purpose}-${tag}-${session}-${time}`;
}
