import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { SandboxToken } from "./sandbox-token";

describe("SandboxToken", () => {
  it("gives every child process started after a renewal the newest token", () => {
    const token = new SandboxToken("first-token");
    const env = token.liveEnvironment({ PATH: process.env.PATH, NS_TOKEN: "stale" }, "NS_TOKEN");
    const read = () =>
      spawnSync(process.execPath, ["-e", "process.stdout.write(process.env.NS_TOKEN ?? '')"], {
        env,
        encoding: "utf8",
      }).stdout;
    expect(read()).toBe("first-token");
    expect(token.renew("second-token", Date.now() + 3600_000)).toBe(true);
    expect(read()).toBe("second-token");
    expect(token.renew("older-token", Date.now())).toBe(false);
    expect(read()).toBe("second-token");
  });
});
