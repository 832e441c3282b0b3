/**
 * The SandboxProvider port's contract (src/providers/provider.ts), one suite every provider runs
 * (the way hono runs one suite over every router): the local host today, each cloud backend as it
 * is added. A provider's test file calls describeSandboxProviderContract with a factory that
 * builds the provider, with the credential the suite chooses, over a double of its backend that
 * behaves as the suite asks. The suite is about the port's behaviour, never a backend's wire format.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type CreateSandboxInput,
  type SandboxProvider,
  SandboxProviderError,
} from "../../src/providers/provider";

/** How the provider's backend behaves for one case. */
export type ContractBackend =
  /** As the real service: creates succeed; terminating a sandbox it does not know is its "not found". */
  | { kind: "healthy" }
  /** Every call is answered with this HTTP status and `message` as the service's error text. */
  | { kind: "failing"; status: number; message: string }
  /** Every call fails before any answer (connection refused, reset, DNS). */
  | { kind: "unreachable" };

export interface ContractSetup {
  /** The credential the provider must authenticate with (host secret, API key). */
  secret: string;
  backend: ContractBackend;
}

export interface ContractSubject {
  provider: SandboxProvider;
  /** How many requests reached the backend so far. */
  requests(): number;
}

export type MakeProvider = (setup: ContractSetup) => ContractSubject | Promise<ContractSubject>;

/** What the suite needs of an in-process API double (the testkit's Daytona and Modal doubles). */
export interface InProcessApiDouble {
  fetch(request: Request): Promise<Response> | Response;
  injectFault(fault: { status: number; calls: number; message: string }): void;
  requests: { method: string; path: string; body: unknown; authorized: boolean }[];
}

/**
 * A `fetch` over an in-process API double behaving as `backend` asks: failing with the status on
 * every call, or unreachable (each attempt recorded as a request that got no answer).
 */
export function apiDoubleFetch(api: InProcessApiDouble, backend: ContractBackend): typeof fetch {
  if (backend.kind === "failing")
    api.injectFault({ status: backend.status, calls: Number.MAX_SAFE_INTEGER, message: backend.message });
  return (async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (backend.kind === "unreachable") {
      api.requests.push({
        method: request.method,
        path: new URL(request.url).pathname,
        body: null,
        authorized: false,
      });
      throw new TypeError("Network connection lost.");
    }
    return api.fetch(request);
  }) as typeof fetch;
}

/** The documented handle: an id to terminate by, the isolation to show, caveats (possibly none). */
const Handle = z.strictObject({
  providerId: z.string().min(1),
  isolation: z.string().min(1),
  warnings: z.array(z.string()),
});

/** Stands for the one credential a create carries (the bootstrap token): never in an error. */
const SECRET_ENV_VALUE = "contract-bootstrap-token-9f8e7d6c5b4a";

function validInput(n = 1): CreateSandboxInput {
  return {
    tenantId: `contract-tenant-${n}`,
    sessionId: `contract-session-${n}`,
    incarnation: `contract-inc-${n}`,
    repo: { kind: "local", path: "demo" },
    branch: `nightshift/contract-${n}`,
    bootstrap: {
      NIGHTSHIFT_CONTROL_PLANE_URL: "http://127.0.0.1:8787",
      NIGHTSHIFT_SESSION_ID: `contract-session-${n}`,
      NIGHTSHIFT_BOOTSTRAP_TOKEN: SECRET_ENV_VALUE,
    },
    labels: {
      "nightshift.tenant": `contract-tenant-${n}`,
      "nightshift.session": `contract-session-${n}`,
      "nightshift.incarnation": `contract-inc-${n}`,
    },
    egress: { allowHosts: ["registry.npmjs.org"] },
    idleTimeoutSeconds: 1800,
  };
}

/** Inputs no provider may send on: each is the caller's bug. */
const BAD_INPUTS: ReadonlyArray<[string, CreateSandboxInput]> = [
  ["an empty session id", { ...validInput(), sessionId: "" }],
  ["an incarnation over 100 characters", { ...validInput(), incarnation: "i".repeat(101) }],
  [
    "a bootstrap variable beyond the three (a secret in the create request)",
    { ...validInput(), bootstrap: { ...validInput().bootstrap, ANTHROPIC_API_KEY: SECRET_ENV_VALUE } },
  ],
  [
    "a bootstrap without its token",
    {
      ...validInput(),
      bootstrap: { NIGHTSHIFT_CONTROL_PLANE_URL: "http://127.0.0.1:8787", NIGHTSHIFT_SESSION_ID: "s" },
    },
  ],
  ["a label name that is not one", { ...validInput(), labels: { "Not A Label": "x" } }],
  ["an idle timeout that is not a positive number of seconds", { ...validInput(), idleTimeoutSeconds: 0 }],
  [
    "a repository of an unknown kind",
    { ...validInput(), repo: { kind: "svn" } as unknown as CreateSandboxInput["repo"] },
  ],
  ["an egress host that is not a host", { ...validInput(), egress: { allowHosts: ["https://x/ y"] } }],
];

const TRANSIENT_STATUSES = [500, 502, 503, 504];
const PERMANENT_STATUSES = [400, 401, 403, 404, 422];

async function failureOf(promise: Promise<unknown>): Promise<SandboxProviderError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome, "the call should have failed").toBeInstanceOf(SandboxProviderError);
  return outcome as SandboxProviderError;
}

/** Every way an error can reach a log, an event or a response. */
function renderings(error: SandboxProviderError): string[] {
  return [error.message, String(error), error.stack ?? "", JSON.stringify(error)];
}

export function describeSandboxProviderContract(name: string, makeProvider: MakeProvider): void {
  const secret = `contract-secret-${crypto.randomUUID()}`;
  const subject = (backend: ContractBackend) => makeProvider({ secret, backend });
  /** A backend that quotes what it was sent, credential included, as some error pages do. */
  const failing = (status: number): ContractBackend => ({
    kind: "failing",
    status,
    message: `request refused; it was sent with credential ${secret}`,
  });

  describe(`SandboxProvider contract: ${name}`, () => {
    it("create returns a handle in the documented shape, with a new id per sandbox", async () => {
      const { provider } = await subject({ kind: "healthy" });
      const first = Handle.parse(await provider.create(validInput(1)));
      const second = Handle.parse(await provider.create(validInput(2)));
      expect(second.providerId).not.toBe(first.providerId);
    });

    it.each(BAD_INPUTS)(
      "create with %s fails as permanent before the backend is called, naming no value",
      async (_what, input) => {
        const { provider, requests } = await subject({ kind: "healthy" });
        const error = await failureOf(provider.create(input));
        expect(error.kind).toBe("permanent");
        expect(requests()).toBe(0);
        for (const text of renderings(error)) expect(text).not.toContain(SECRET_ENV_VALUE);
      },
    );

    it.each(TRANSIENT_STATUSES)(
      "a backend answering %i is a transient failure, for create and terminate",
      async (status) => {
        const { provider } = await subject(failing(status));
        expect((await failureOf(provider.create(validInput()))).kind).toBe("transient");
        expect((await failureOf(provider.terminate("sbx-any"))).kind).toBe("transient");
      },
    );

    it("an unreachable backend is a transient failure, for create and terminate", async () => {
      const { provider } = await subject({ kind: "unreachable" });
      expect((await failureOf(provider.create(validInput()))).kind).toBe("transient");
      expect((await failureOf(provider.terminate("sbx-any"))).kind).toBe("transient");
    });

    it.each(PERMANENT_STATUSES)(
      "a backend refusing a create with %i is a permanent failure",
      async (status) => {
        const { provider } = await subject(failing(status));
        expect((await failureOf(provider.create(validInput()))).kind).toBe("permanent");
      },
    );

    it("a full backend (429) is reported as capacity, so the session waits in line instead of failing", async () => {
      const { provider } = await subject(failing(429));
      expect((await failureOf(provider.create(validInput()))).kind).toBe("capacity");
    });

    it("terminate is idempotent: a sandbox terminated twice and one the backend never had both succeed", async () => {
      const { provider, requests } = await subject({ kind: "healthy" });
      const { providerId } = await provider.create(validInput());
      await expect(provider.terminate(providerId)).resolves.toBeUndefined();
      await expect(provider.terminate(providerId)).resolves.toBeUndefined();
      await expect(provider.terminate("sbx-never-created")).resolves.toBeUndefined();
      expect(requests()).toBe(4);
    });

    it.each([
      ["a transient failure", failing(503)],
      ["a permanent refusal", failing(401)],
      ["a full backend", failing(429)],
      ["an unreachable backend", { kind: "unreachable" } as const],
    ])("errors never carry the provider's credential: %s", async (_what, backend) => {
      const { provider } = await subject(backend);
      for (const call of [() => provider.create(validInput()), () => provider.terminate("sbx-any")]) {
        const error = await failureOf(call());
        for (const text of renderings(error)) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(SECRET_ENV_VALUE);
        }
      }
    });
  });
}
