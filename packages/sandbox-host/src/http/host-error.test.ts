import { errorStatus } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { HostError } from "./host-error";

describe("HostError", () => {
  it("takes its status from the protocol's error table and names itself in a stack or a log line", () => {
    const err = new HostError("invalid_request", "env.PATH is set by the sandbox host");
    expect(err.status).toBe(errorStatus("invalid_request"));
    expect(err.status).toBe(400);
    expect(new HostError("not_found", "no such sandbox").status).toBe(404);
    expect(err.code).toBe("invalid_request");
    expect(err.message).toBe("env.PATH is set by the sandbox host");
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toBe("HostError: env.PATH is set by the sandbox host");
  });
});
