/**
 * The operator-endpoint check given something that is not an address: a resolver answer or a
 * configured host that fails to parse must count as never reachable, as it does for sandboxes.
 */
import { describe, expect, it } from "vitest";
import { describeAddress, isNeverReachable } from "../src/egress/forbidden-addresses";

describe("isNeverReachable with unparseable input", () => {
  it("refuses what is not an IP address, even for a configured endpoint", () => {
    for (const value of ["not-an-ip", "", "localhost", "127.0.0.1:80", "[::1]", "1.2.3"])
      expect(isNeverReachable(value), value).toBe(true);
  });

  it("still lets a configured endpoint use IPv6 loopback and private ranges", () => {
    for (const value of ["::1", "fd00::1", "192.168.1.10", "::ffff:127.0.0.1"])
      expect(isNeverReachable(value), value).toBe(false);
  });

  it("names each refused kind of address in words", () => {
    expect(describeAddress("[::1]")).toBe("not an IP address");
    expect(describeAddress("::1")).toBe("a loopback address (this host)");
    expect(describeAddress("fe80::1")).toBe("a link-local address (cloud metadata service)");
    expect(describeAddress("fd00::1")).toBe("a private or reserved address");
  });
});
