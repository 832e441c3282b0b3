/**
 * Daytona's REST API and toolbox API over `fetch` (the SDK is Node-only: axios, ws, S3, OTel).
 * Wire format of Daytona v0.190.0: `Authorization: Bearer <API key>`; errors
 * `{statusCode, message, error, ...}`; the list paginated `{items, total, page, totalPages}`; the
 * toolbox at `<toolboxProxyUrl>/<sandboxId>/process/...`. Every failure is a DaytonaApiError with
 * the status (null when no answer came) and Daytona's own message; classification is elsewhere.
 */
import { z } from "zod";
import { fetchWithin } from "../timed-fetch";

const REQUEST_TIMEOUT_MS = 30_000;

export class DaytonaApiError extends Error {
  constructor(
    /** What Nightshift was doing, in words ("create the sandbox"). */
    readonly operation: string,
    /** HTTP status, or null when no answer came (network failure, timeout). */
    readonly status: number | null,
    /** Daytona's message (or the network failure's), as received; callers cut secrets out. */
    readonly detail: string,
    readonly retryAfterSeconds: number | null = null,
    readonly timedOut = false,
  ) {
    super(`${operation}: ${status ?? "no answer"}`);
    this.name = "DaytonaApiError";
  }
}

export const DaytonaSandbox = z.object({
  id: z.string().min(1),
  state: z.string(),
  labels: z.record(z.string(), z.string()).default({}),
  errorReason: z.string().nullish(),
  toolboxProxyUrl: z.string().nullish(),
  createdAt: z.string().nullish(),
});
export type DaytonaSandbox = z.infer<typeof DaytonaSandbox>;

const SandboxPage = z.object({
  items: z.array(DaytonaSandbox),
  total: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  totalPages: z.number().int().nonnegative(),
});
export type SandboxPage = z.infer<typeof SandboxPage>;

/** GET /snapshots/{idOrName} (SnapshotDto), the fields used. */
export const DaytonaSnapshot = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  state: z.string(),
  errorReason: z.string().nullish(),
  createdAt: z.string().nullish(),
});
export type DaytonaSnapshot = z.infer<typeof DaytonaSnapshot>;

const SnapshotPage = z.object({
  items: z.array(DaytonaSnapshot),
  total: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  totalPages: z.number().int().nonnegative(),
});
export type SnapshotPage = z.infer<typeof SnapshotPage>;

const ToolboxUrl = z.object({ url: z.string().min(1) });
const ExecAnswer = z.object({ cmdId: z.string().min(1) });
const CommandStatus = z.object({ exitCode: z.number().int().nullish() });
const CommandLogs = z.union([
  z.object({ output: z.string().nullish(), stdout: z.string().nullish(), stderr: z.string().nullish() }),
  z.string(),
]);

const ErrorBody = z.object({ message: z.union([z.string(), z.array(z.string())]) });

/** The create body Nightshift sends (Daytona's CreateSandbox, the fields used). */
export interface CreateSandboxBody {
  snapshot: string;
  target?: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  public: false;
  autoStopInterval: number;
  autoDeleteInterval: number;
  networkAllowList?: string;
  domainAllowList?: string;
}

export interface DaytonaClientConfig {
  apiUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
}

export class DaytonaClient {
  private readonly fetchImpl: typeof fetch;
  private readonly apiUrl: string;

  constructor(private readonly config: DaytonaClientConfig) {
    this.fetchImpl = config.fetch ?? ((input, init) => fetch(input, init));
    this.apiUrl = config.apiUrl.replace(/\/+$/, "");
  }

  async createSandbox(body: CreateSandboxBody): Promise<DaytonaSandbox> {
    const json = await this.call("create the sandbox", "POST", `${this.apiUrl}/sandbox`, body);
    return this.parse("create the sandbox", DaytonaSandbox, json);
  }

  async getSandbox(id: string): Promise<DaytonaSandbox> {
    const json = await this.call(
      "read the sandbox",
      "GET",
      `${this.apiUrl}/sandbox/${encodeURIComponent(id)}`,
    );
    return this.parse("read the sandbox", DaytonaSandbox, json);
  }

  /** Resolves false when Daytona has no such sandbox (already deleted): deleting is idempotent. */
  async deleteSandbox(id: string): Promise<boolean> {
    try {
      await this.call("delete the sandbox", "DELETE", `${this.apiUrl}/sandbox/${encodeURIComponent(id)}`);
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async listSandboxes(labels: Record<string, string>, page: number, limit: number): Promise<SandboxPage> {
    const query = new URLSearchParams({
      labels: JSON.stringify(labels),
      page: String(page),
      limit: String(limit),
    });
    const json = await this.call("list sandboxes", "GET", `${this.apiUrl}/sandbox?${query}`);
    return this.parse("list sandboxes", SandboxPage, json);
  }

  /** Starts taking a snapshot named `name` of the sandbox (asynchronous: the sandbox shows `snapshotting`). */
  async snapshotSandbox(id: string, name: string): Promise<DaytonaSandbox> {
    const operation = "snapshot the sandbox";
    const json = await this.call(
      operation,
      "POST",
      `${this.apiUrl}/sandbox/${encodeURIComponent(id)}/snapshot`,
      {
        name,
      },
    );
    return this.parse(operation, DaytonaSandbox, json);
  }

  /** The snapshot by id or name, or null when Daytona has none. */
  async getSnapshot(idOrName: string): Promise<DaytonaSnapshot | null> {
    const operation = "read the snapshot";
    try {
      const json = await this.call(
        operation,
        "GET",
        `${this.apiUrl}/snapshots/${encodeURIComponent(idOrName)}`,
      );
      return this.parse(operation, DaytonaSnapshot, json);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /** One page of the organization's snapshots whose name matches `name` (Daytona filters by name). */
  async listSnapshots(name: string, page: number, limit: number): Promise<SnapshotPage> {
    const query = new URLSearchParams({ name, page: String(page), limit: String(limit) });
    const json = await this.call("list snapshots", "GET", `${this.apiUrl}/snapshots?${query}`);
    return this.parse("list snapshots", SnapshotPage, json);
  }

  /** Deletes by id; false when Daytona has no such snapshot (already deleted). */
  async deleteSnapshot(id: string): Promise<boolean> {
    try {
      await this.call("delete the snapshot", "DELETE", `${this.apiUrl}/snapshots/${encodeURIComponent(id)}`);
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async toolboxBase(sandbox: DaytonaSandbox): Promise<string> {
    let proxy = sandbox.toolboxProxyUrl ?? null;
    if (!proxy) {
      const json = await this.call(
        "find the sandbox's toolbox",
        "GET",
        `${this.apiUrl}/sandbox/${encodeURIComponent(sandbox.id)}/toolbox-proxy-url`,
      );
      proxy = this.parse("find the sandbox's toolbox", ToolboxUrl, json).url;
    }
    return `${proxy.replace(/\/+$/, "")}/${encodeURIComponent(sandbox.id)}`;
  }

  async createSession(toolbox: string, sessionId: string): Promise<void> {
    await this.call("open a toolbox session", "POST", `${toolbox}/process/session`, { sessionId });
  }

  /** Starts `command` in the session without waiting for it; returns its command id. */
  async executeAsync(toolbox: string, sessionId: string, command: string): Promise<string> {
    const json = await this.call(
      "start the runtime",
      "POST",
      `${toolbox}/process/session/${encodeURIComponent(sessionId)}/exec`,
      { command, runAsync: true },
    );
    return this.parse("start the runtime", ExecAnswer, json).cmdId;
  }

  /** The command's exit code, or null while it runs. */
  async commandExitCode(toolbox: string, sessionId: string, commandId: string): Promise<number | null> {
    const json = await this.call(
      "check the runtime",
      "GET",
      `${toolbox}/process/session/${encodeURIComponent(sessionId)}/command/${encodeURIComponent(commandId)}`,
    );
    return this.parse("check the runtime", CommandStatus, json).exitCode ?? null;
  }

  async commandLogs(toolbox: string, sessionId: string, commandId: string): Promise<string> {
    const json = await this.call(
      "read the runtime's logs",
      "GET",
      `${toolbox}/process/session/${encodeURIComponent(sessionId)}/command/${encodeURIComponent(commandId)}/logs`,
    );
    const logs = this.parse("read the runtime's logs", CommandLogs, json);
    if (typeof logs === "string") return logs;
    return logs.output || [logs.stdout, logs.stderr].filter(Boolean).join("\n");
  }

  private parse<T>(operation: string, schema: z.ZodType<T>, json: unknown): T {
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new DaytonaApiError(operation, 502, "Daytona answered with an unexpected body");
    return parsed.data;
  }

  private async call(operation: string, method: string, url: string, body?: unknown): Promise<unknown> {
    const answer = await fetchWithin(
      this.fetchImpl,
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${this.config.apiKey}`,
          accept: "application/json",
          "x-daytona-source": "nightshift",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      REQUEST_TIMEOUT_MS,
    );
    if (!answer.ok) {
      throw new DaytonaApiError(
        operation,
        null,
        answer.timedOut ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : "the connection failed",
        null,
        answer.timedOut,
      );
    }
    const res = answer.response;
    const text = await res.text().catch(() => "");
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (res.ok) return json;
    const parsed = ErrorBody.safeParse(json);
    const detail = parsed.success
      ? [parsed.data.message].flat().join("; ")
      : text.slice(0, 300).replace(/\s+/g, " ").trim();
    throw new DaytonaApiError(operation, res.status, detail, retryAfter(res.headers.get("retry-after")));
  }
}

/**
 * Daytona's "Sandbox ... not found" / "Snapshot ... not found"; a 404 for the route itself
 * ("Cannot DELETE ...") is a wrong DAYTONA_API_URL, not a missing resource.
 */
function isMissing(err: unknown): boolean {
  return err instanceof DaytonaApiError && err.status === 404 && !err.detail.startsWith("Cannot ");
}

function retryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
