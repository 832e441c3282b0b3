/** The device sign-in calls: no credential sent, bodies checked and shaped as RFC 8628 names them, answers typed. */
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, createClient, RequestValidationError } from "../src/index.ts";
import { type FakeControlPlane, json, startFakeControlPlane } from "./fake-control-plane.ts";

let server: FakeControlPlane | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("client.deviceLogin", () => {
  it("starts with the client's name and no credential; a pending poll is an ApiError with the RFC's code", async () => {
    server = await startFakeControlPlane((req, res) => {
      if (req.url.pathname === "/auth/device")
        return json(res, 200, {
          device_code: "d".repeat(43),
          user_code: "BCDF-GHJK",
          verification_uri: "http://x/device",
          verification_uri_complete: "http://x/device?code=BCDF-GHJK",
          expires_in: 600,
          interval: 5,
        });
      json(res, 400, { error: { code: "authorization_pending", message: "waiting" } });
    });
    const client = createClient({ baseUrl: server.url });
    const started = await client.deviceLogin.start("nightshift CLI on laptop");
    expect(started.user_code).toBe("BCDF-GHJK");
    const pending = await client.deviceLogin.poll(started.device_code).catch((e) => e);
    expect(pending).toBeInstanceOf(ApiError);
    expect(pending).toMatchObject({ status: 400, code: "authorization_pending" });
    const [start, poll] = server.requests;
    expect(JSON.parse(start?.body ?? "")).toEqual({ client_name: "nightshift CLI on laptop" });
    expect(JSON.parse(poll?.body ?? "")).toEqual({ device_code: "d".repeat(43) });
    expect(start?.headers.authorization).toBeUndefined();
  });

  it("refuses an empty device code before sending anything", async () => {
    server = await startFakeControlPlane((_req, res) => json(res, 500, {}));
    await expect(createClient({ baseUrl: server.url }).deviceLogin.poll("")).rejects.toBeInstanceOf(
      RequestValidationError,
    );
    expect(server.requests).toEqual([]);
  });
});
