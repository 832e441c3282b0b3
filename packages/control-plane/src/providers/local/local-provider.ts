/** `local` provider: the sandbox-host daemon on loopback, called with HMAC-signed requests. */
import {
  type CreateSandboxRequest,
  ErrorBody,
  HostSnapshot,
  hostSigningString,
  ListLocalRepositoriesResponse,
  type LocalRepository,
  SANDBOX_HOST_SIGNATURE_HEADER,
  SANDBOX_HOST_TIMESTAMP_HEADER,
  SandboxInfo,
  signHostRequest,
} from "@nightshift/protocol";
import { z } from "zod";
import {
  type CreateSandboxInput,
  checkCreateInput,
  classifyHttpStatus,
  type GitUpstreamRequest,
  type SandboxHandle,
  type SandboxProvider,
  SandboxProviderError,
  type SandboxSnapshot,
  withoutSecrets,
} from "../provider";
import { fetchWithin } from "../timed-fetch";

const REQUEST_TIMEOUT_MS = 30_000;

/** The message of the host's error body; any code is accepted, so a newer host's codes keep their message. */
const HostErrorMessage = z.object({ error: ErrorBody.shape.error.pick({ message: true }) });

export interface LocalProviderConfig {
  hostUrl: string;
  secret: string;
  fetch?: typeof fetch;
}

export class LocalSandboxProvider implements SandboxProvider {
  readonly name = "local";
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly config: LocalProviderConfig) {
    this.fetchImpl = config.fetch ?? ((input, init) => fetch(input, init));
  }

  async create(input: CreateSandboxInput): Promise<SandboxHandle> {
    checkCreateInput(input);
    // Only the bootstrap variables reach the host: the runtime exchanges its token for the rest.
    // Labels and the idle policy stay here: the host neither lists by label nor stops idle sandboxes.
    const body: CreateSandboxRequest = {
      sessionId: input.sessionId,
      incarnation: input.incarnation,
      repo: input.repo,
      env: input.bootstrap,
      // The host binds a snapshot of this sandbox to the tenant (and repository) and checks both on restore.
      tenantId: input.tenantId,
      ...(input.fromSnapshot ? { fromSnapshot: input.fromSnapshot } : {}),
      ...(input.branch ? { branch: input.branch } : {}),
      ...(input.egress ? { egress: input.egress } : {}),
    };
    const res = await this.call("POST", "/v1/sandboxes", JSON.stringify(body));
    const info = SandboxInfo.safeParse(await res.json());
    if (!info.success)
      throw new SandboxProviderError("sandbox host answered with an unexpected body", "permanent");
    return { providerId: info.data.id, isolation: info.data.isolation, warnings: info.data.warnings ?? [] };
  }

  async listLocalRepositories(): Promise<LocalRepository[]> {
    const res = await this.call("GET", "/v1/repositories", "");
    const parsed = ListLocalRepositoriesResponse.safeParse(await res.json());
    if (!parsed.success)
      throw new SandboxProviderError("sandbox host answered with an unexpected body", "permanent");
    return parsed.data.repositories;
  }

  /**
   * Git smart HTTP on the session's mirror (/work/briefs/git-proxy-url.md). The body is a
   * streamed pack, so the signature covers timestamp, method and path with a fresh nonce, with
   * an empty body part; the nonce keeps identical POSTs in one second apart for the replay guard.
   */
  async gitUpstream(request: GitUpstreamRequest): Promise<Response> {
    const query = new URLSearchParams();
    if (request.service) query.set("service", request.service);
    query.set("nonce", crypto.randomUUID());
    const path = `/v1/sessions/${encodeURIComponent(request.sessionId)}/incarnations/${encodeURIComponent(
      request.incarnation,
    )}/git/${request.endpoint}?${query}`;
    const ts = Math.floor(Date.now() / 1000).toString();
    const headers = new Headers(request.headers);
    headers.set(SANDBOX_HOST_TIMESTAMP_HEADER, ts);
    headers.set(
      SANDBOX_HOST_SIGNATURE_HEADER,
      await signHostRequest(this.config.secret, hostSigningString(ts, request.method, path, "")),
    );
    try {
      return await this.fetchImpl(new URL(path, this.config.hostUrl), {
        method: request.method,
        headers,
        ...(request.body ? { body: request.body, duplex: "half" } : {}),
      } as RequestInit);
    } catch {
      throw new SandboxProviderError(
        `cannot reach the sandbox host at ${this.config.hostUrl} for the session's repository`,
        "transient",
      );
    }
  }

  /** The host copies the sandbox's workdir (not its state dir) into its snapshot store. */
  async snapshot(providerId: string, purpose: "warm" | "resume"): Promise<SandboxSnapshot> {
    // A nonce: two snapshots of one sandbox within a second are not a replay.
    const path = `/v1/sandboxes/${encodeURIComponent(providerId)}/snapshots?nonce=${crypto.randomUUID()}`;
    const res = await this.call("POST", path, JSON.stringify({ purpose }));
    const snapshot = HostSnapshot.safeParse(await res.json());
    if (!snapshot.success)
      throw new SandboxProviderError("sandbox host answered a snapshot with an unexpected body", "permanent");
    return { ref: snapshot.data.ref };
  }

  async deleteSnapshot(ref: string): Promise<void> {
    const path = `/v1/snapshots/${encodeURIComponent(ref)}?nonce=${crypto.randomUUID()}`;
    const res = await this.call("DELETE", path, "", [404]);
    await res.body?.cancel();
  }

  async terminate(providerId: string): Promise<void> {
    const res = await this.call("DELETE", `/v1/sandboxes/${encodeURIComponent(providerId)}`, "", [404]);
    await res.body?.cancel();
  }

  private async call(
    method: string,
    path: string,
    body: string,
    okStatuses: number[] = [],
  ): Promise<Response> {
    const ts = Math.floor(Date.now() / 1000).toString();
    const signature = await signHostRequest(this.config.secret, hostSigningString(ts, method, path, body));
    const answer = await fetchWithin(
      this.fetchImpl,
      new URL(path, this.config.hostUrl),
      {
        method,
        headers: {
          "content-type": "application/json",
          [SANDBOX_HOST_TIMESTAMP_HEADER]: ts,
          [SANDBOX_HOST_SIGNATURE_HEADER]: signature,
        },
        ...(body ? { body } : {}),
      },
      REQUEST_TIMEOUT_MS,
    );
    if (!answer.ok) {
      throw new SandboxProviderError(
        answer.timedOut
          ? `the sandbox host at ${this.config.hostUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`
          : `cannot reach the sandbox host at ${this.config.hostUrl}; is it running (make dev starts it)?`,
        "transient",
      );
    }
    const res = answer.response;
    if (res.ok || okStatuses.includes(res.status)) return res;
    const detail = await res.json().catch(() => null);
    const parsed = HostErrorMessage.safeParse(detail);
    // A host that echoes what it was sent (or a proxy in front of it) must not put the secret in an error.
    const quoted = parsed.success ? withoutSecrets(parsed.data.error.message, [this.config.secret]) : "";
    const message = quoted.slice(0, 300) || `HTTP ${res.status}`;
    throw new SandboxProviderError(
      `sandbox host refused ${method} ${path}: ${message}`,
      classifyHttpStatus(res.status),
    );
  }
}
