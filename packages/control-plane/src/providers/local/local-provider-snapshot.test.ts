/**
 * The local provider's snapshot methods against the sandbox host's contract (statuses and bodies
 * of packages/sandbox-host/src/http/snapshot-routes.ts), with an injected fetch: workerd cannot
 * listen. The host's own tests (host-snapshots.test.ts) cover the store and the tenant binding.
 */
import { CreateSandboxRequest, TakeSnapshotRequest } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { type CreateSandboxInput, SandboxProviderError } from "../provider";
import { LocalSandboxProvider } from "./local-provider";

const HOST_URL = "http://127.0.0.1:7070";
const SECRET = "local-provider-test-secret";
const REF = "snap_01jf0000000000000000000000";

function recordingHost(answer: () => Response) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init));
    return answer();
  };
  return { requests, provider: new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch }) };
}

const input: CreateSandboxInput = {
  tenantId: "t-1",
  sessionId: "s-1",
  incarnation: "inc-1",
  repo: { kind: "local", path: "demo" },
  branch: "nightshift/readme",
  bootstrap: {
    NIGHTSHIFT_CONTROL_PLANE_URL: "http://127.0.0.1:8787",
    NIGHTSHIFT_SESSION_ID: "s-1",
    NIGHTSHIFT_BOOTSTRAP_TOKEN: "bootstrap-token-0123456789abcdef",
  },
  labels: {},
  idleTimeoutSeconds: 1800,
  fromSnapshot: REF,
};

describe("LocalSandboxProvider snapshots", () => {
  it("asks the host to snapshot the sandbox's workdir, signed, and answers the host's ref", async () => {
    const { requests, provider } = recordingHost(() =>
      Response.json({ ref: REF, bytes: 10, createdAt: "2026-12-04T00:00:00.000Z" }, { status: 201 }),
    );
    expect(await provider.snapshot("sbx_1", "warm")).toEqual({ ref: REF });
    const [req] = requests;
    expect(req?.method).toBe("POST");
    expect(new URL(req?.url ?? "").pathname).toBe("/v1/sandboxes/sbx_1/snapshots");
    expect(new URL(req?.url ?? "").searchParams.get("nonce")).toMatch(/^[0-9a-f-]{36}$/);
    expect(req?.headers.get("x-nightshift-signature")).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(TakeSnapshotRequest.parse(await req?.json())).toEqual({ purpose: "warm" });
  });

  it("turns a host refusal into a classified provider error and a strange body into a permanent one", async () => {
    const gone = recordingHost(() =>
      Response.json({ error: { code: "not_found", message: "no such running sandbox" } }, { status: 404 }),
    );
    const refused = await gone.provider.snapshot("sbx_1", "warm").catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SandboxProviderError);
    expect((refused as SandboxProviderError).kind).toBe("permanent");
    const odd = recordingHost(() => Response.json({ ref: "../etc" }, { status: 201 }));
    await expect(odd.provider.snapshot("sbx_1", "warm")).rejects.toThrow(/unexpected body/);
  });

  it("creates from a snapshot with the tenant the host checks it against", async () => {
    const { requests, provider } = recordingHost(() =>
      Response.json(
        {
          id: "sbx_2",
          sessionId: "s-1",
          incarnation: "inc-1",
          state: "running",
          isolation: "bubblewrap",
          pid: 1,
          exitCode: null,
          createdAt: "2026-12-04T00:00:00.000Z",
          endedAt: null,
        },
        { status: 201 },
      ),
    );
    await provider.create(input);
    const sent = CreateSandboxRequest.parse(await requests[0]?.json());
    expect(sent).toMatchObject({ tenantId: "t-1", fromSnapshot: REF });
  });

  it("deletes a snapshot, and a ref the host no longer knows is not an error", async () => {
    const { requests, provider } = recordingHost(() =>
      Response.json({ error: { code: "not_found", message: "no route" } }, { status: 404 }),
    );
    await provider.deleteSnapshot(REF);
    expect(requests[0]?.method).toBe("DELETE");
    expect(new URL(requests[0]?.url ?? "").pathname).toBe(`/v1/snapshots/${REF}`);
  });
});
