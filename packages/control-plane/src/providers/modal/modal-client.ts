/**
 * Our Modal app's HTTPS API (packages/modal-app) over `fetch`: the Modal JS SDK speaks gRPC over
 * HTTP/2 and cannot run in workerd. Every request carries the workspace Proxy Auth Token as
 * Modal-Key / Modal-Secret. The app answers JSON (`{error: {code, message}}` on failure); Modal's
 * own edge answers text (its 401, a 5xx while the app is down). Every failure is a ModalAppError
 * with the status (null when no answer came); classification is in modal-errors.ts.
 */
import { z } from "zod";
import { fetchWithin } from "../timed-fetch";

/** Modal caps a web endpoint call at 150 s; our app's calls are far shorter, these are backstops. */
const TIMEOUT_MS = { default: 30_000, create: 120_000, snapshot: 120_000 } as const;

export class ModalAppError extends Error {
  constructor(
    /** What Nightshift was doing, in words ("create the sandbox"). */
    readonly operation: string,
    /** HTTP status, or null when no answer came (network failure, timeout). */
    readonly status: number | null,
    /** The app's error code, when it answered one. */
    readonly code: string | null,
    /** The app's (or Modal's) message as received; callers cut secrets out before showing it. */
    readonly detail: string,
    readonly timedOut = false,
  ) {
    super(`${operation}: ${status ?? "no answer"}`);
    this.name = "ModalAppError";
  }
}

export const ModalSandboxState = z.enum(["running", "exited", "terminated", "timed_out"]);

export const ModalSandbox = z.object({
  id: z.string().regex(/^sb-[A-Za-z0-9]+$/),
  state: ModalSandboxState,
  exitCode: z.number().int().nullable(),
  labels: z.record(z.string(), z.string()),
});
export type ModalSandbox = z.infer<typeof ModalSandbox>;

const CreatedSandbox = ModalSandbox.extend({
  isolation: z.string().min(1).max(100),
  warnings: z.array(z.string().max(500)).max(10),
  fromSnapshot: z.string().nullable(),
});
export type CreatedSandbox = z.infer<typeof CreatedSandbox>;

const SandboxList = z.object({ sandboxes: z.array(ModalSandbox), truncated: z.boolean() });
export type SandboxList = z.infer<typeof SandboxList>;

const IMAGE_ID = /^im-[A-Za-z0-9]+$/;
const Snapshot = z.object({ sandboxId: z.string(), snapshotId: z.string().regex(IMAGE_ID) });

/** A filesystem snapshot the app took and still keeps (GET /v1/snapshots). */
export const ModalSnapshot = z.object({
  id: z.string().regex(IMAGE_ID),
  /** `nightshift-<purpose>-<deployment tag>-<session>-<time>`: its owner, for the sweep. */
  name: z.string().min(1).max(200),
  /** ISO 8601; null when the app does not know. */
  createdAt: z.string().nullable(),
});
export type ModalSnapshot = z.infer<typeof ModalSnapshot>;
const SnapshotList = z.object({ snapshots: z.array(ModalSnapshot), truncated: z.boolean() });
export type SnapshotList = z.infer<typeof SnapshotList>;

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** What the provider sends to create a sandbox (the app's POST /v1/sandboxes body). */
export interface CreateBody {
  env: Record<string, string>;
  labels: Record<string, string>;
  allowHosts: string[];
  snapshotId?: string;
}

export interface ModalClientConfig {
  appUrl: string;
  tokenId: string;
  tokenSecret: string;
  fetch?: typeof fetch;
}

export class ModalAppClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly config: ModalClientConfig) {
    this.fetchImpl = config.fetch ?? ((input, init) => fetch(input, init));
  }

  async create(body: CreateBody): Promise<CreatedSandbox> {
    const res = await this.call("create the sandbox", "POST", "/v1/sandboxes", body, TIMEOUT_MS.create);
    return this.parse("create the sandbox", res, CreatedSandbox);
  }

  /** The sandbox, or null when the app does not know it (ended long ago, never existed). */
  async get(id: string): Promise<ModalSandbox | null> {
    const res = await this.call(
      "read the sandbox's state",
      "GET",
      `/v1/sandboxes/${encodeURIComponent(id)}`,
      null,
      TIMEOUT_MS.default,
      [404],
    );
    if (res.status === 404) return null;
    return this.parse("read the sandbox's state", res, ModalSandbox);
  }

  /** Terminates; false when the app does not know the sandbox (already gone). */
  async terminate(id: string): Promise<boolean> {
    const res = await this.call(
      "terminate the sandbox",
      "DELETE",
      `/v1/sandboxes/${encodeURIComponent(id)}`,
      null,
      TIMEOUT_MS.default,
      [404],
    );
    await res.body?.cancel();
    return res.status !== 404;
  }

  async list(labels: Record<string, string>): Promise<SandboxList> {
    const query = new URLSearchParams(Object.entries(labels).map(([k, v]) => ["label", `${k}=${v}`]));
    const path = `/v1/sandboxes${query.size > 0 ? `?${query}` : ""}`;
    const res = await this.call("list the sandboxes", "GET", path, null, TIMEOUT_MS.default);
    return this.parse("list the sandboxes", res, SandboxList);
  }

  /** Snapshots the filesystem; the app names it after the sandbox's labels and `purpose`. */
  async snapshot(id: string, purpose: "warm" | "resume"): Promise<string> {
    const operation = "snapshot the sandbox's filesystem";
    const res = await this.call(
      operation,
      "POST",
      `/v1/sandboxes/${encodeURIComponent(id)}/snapshots`,
      { purpose },
      TIMEOUT_MS.snapshot,
    );
    return (await this.parse(operation, res, Snapshot)).snapshotId;
  }

  /** The snapshots the app took and has not deleted, oldest first. */
  async listSnapshots(): Promise<SnapshotList> {
    const res = await this.call("list the snapshots", "GET", "/v1/snapshots", null, TIMEOUT_MS.default);
    return this.parse("list the snapshots", res, SnapshotList);
  }

  /** Deletes the snapshot's image; false when the app does not know it (already deleted). */
  async deleteSnapshot(id: string): Promise<boolean> {
    const res = await this.call(
      "delete the snapshot",
      "DELETE",
      `/v1/snapshots/${encodeURIComponent(id)}`,
      null,
      TIMEOUT_MS.default,
      [404],
    );
    await res.body?.cancel();
    return res.status !== 404;
  }

  private async parse<T>(operation: string, res: Response, schema: z.ZodType<T>): Promise<T> {
    const parsed = schema.safeParse(await res.json().catch(() => null));
    if (!parsed.success)
      throw new ModalAppError(operation, res.status, null, "the Modal app answered with an unexpected body");
    return parsed.data;
  }

  private async call(
    operation: string,
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
    okStatuses: number[] = [],
  ): Promise<Response> {
    const answer = await fetchWithin(
      this.fetchImpl,
      `${this.config.appUrl}${path}`,
      {
        method,
        headers: {
          "content-type": "application/json",
          "modal-key": this.config.tokenId,
          "modal-secret": this.config.tokenSecret,
        },
        ...(body === null ? {} : { body: JSON.stringify(body) }),
        // A 303 to a result URL would mean the call outlived Modal's 150 s: never expected here.
        redirect: "manual",
      },
      timeoutMs,
    );
    if (!answer.ok) {
      throw new ModalAppError(
        operation,
        null,
        null,
        answer.timedOut ? `no answer within ${timeoutMs / 1000} s` : "no answer",
        answer.timedOut,
      );
    }
    const res = answer.response;
    if (res.ok || okStatuses.includes(res.status)) return res;
    const text = await res.text().catch(() => "");
    let code: string | null = null;
    let detail = text.trim();
    try {
      const parsed = ErrorBody.safeParse(JSON.parse(text));
      if (parsed.success) {
        code = parsed.data.error.code;
        detail = parsed.data.error.message;
      }
    } catch {
      // Not JSON: Modal's edge speaking (its 401, a 5xx while the app is down); kept as text.
    }
    throw new ModalAppError(operation, res.status, code, detail);
  }
}
