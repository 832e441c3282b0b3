/** `follow`'s own decisions, with a stand-in client: which error a failed follow ends with. */
import { ApiError, type NightshiftClient } from "@nightshift/client";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/exit-codes.ts";
import { follow } from "../src/follow.ts";

type StreamOptions = Parameters<NightshiftClient["streamEvents"]>[1];

describe("follow", () => {
  it("ends with the HTTP answer that stopped it, not with the stream's aborted diagnosis", async () => {
    const notFound = new ApiError(404, "not_found", "no session 0123 in this tenant");
    const client = {
      streamEvents: async (_id: string, options: StreamOptions) => {
        options.onState?.("connecting");
        // The stream's own diagnosis is cut by the abort that the failed HTTP answer causes.
        await new Promise((resolve) => options.signal?.addEventListener("abort", resolve, { once: true }));
        throw new ApiError(404, "http_error", "HTTP 404: unexpected answer (Not Found)");
      },
    } as unknown as NightshiftClient;
    const ended = follow({
      client,
      sessionId: "0123",
      from: 0,
      json: true,
      until: () => EXIT.ok,
      ended: () => Promise.reject(notFound),
    });
    await expect(ended).rejects.toBe(notFound);
  });

  it("a stream that fails on its own still ends with its error", async () => {
    const broken = new ApiError(500, "internal", "the server failed");
    const client = {
      streamEvents: async () => {
        throw broken;
      },
    } as unknown as NightshiftClient;
    await expect(
      follow({ client, sessionId: "0123", from: 0, json: true, until: () => EXIT.ok }),
    ).rejects.toBe(broken);
  });
});
