/**
 * The host running the real runtime (with a stand-in agent, see fixtures/runtime-entry.ts) in
 * whatever isolation this machine offers (bubblewrap here when available): the runtime clones
 * the local repository through its bind, runs the setup hook, takes a prompt, and its push
 * lands in the repository on the host.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BridgeServer } from "./bridge-server";
import { BASE_ENV, type Harness, startHarness } from "./host-harness";

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

describe("sandbox host with the real runtime", () => {
  let h: Harness;
  let bridge: BridgeServer;
  beforeAll(async () => {
    bridge = await BridgeServer.start(BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN);
    h = await startHarness({ runtimePath: inject("runtimeBundle") });
    const repo = join(h.reposRoot, "demo");
    mkdirSync(join(repo, ".nightshift"));
    writeFileSync(join(repo, ".nightshift", "setup.sh"), 'echo "setup in $(pwd) as $(id -u)"\n');
    writeFileSync(join(repo, "README.md"), "demo\n");
    git(repo, "add", "-A");
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init");
  });
  afterAll(async () => {
    await h.stop();
    await bridge.stop();
  });

  it("clones, becomes ready, and pushes the turn's commit back into the local repository", async () => {
    const info = await h.create({ NIGHTSHIFT_CONTROL_PLANE_URL: bridge.url });
    await waitFor(() => bridge.readyFrames > 0, "ready from the sandbox", 20_000);
    const logs = bridge.events.flatMap((e) => (e.type === "log" ? [e.text] : []));
    expect(logs.join("")).toContain(`setup in ${join(h.dataDir, info.id, "work")}`);

    bridge.send({
      v: 1,
      type: "prompt",
      promptId: "p1",
      text: "write hello.txt from the sandbox",
      author: { name: "Ada", email: "ada@example.com" },
    });
    await waitFor(() => bridge.events.some((e) => e.type === "turn.end"), "turn.end", 20_000);
    const push = bridge.events.find((e) => e.type === "git.push");
    expect(push).toMatchObject({ branch: "nightshift/test", filesChanged: 1 });
    const repo = join(h.reposRoot, "demo");
    expect(git(repo, "show", "nightshift/test:hello.txt")).toBe("from the sandbox");
    expect(git(repo, "log", "-1", "--format=%an", "nightshift/test")).toBe("Ada");

    bridge.send({ v: 1, type: "shutdown", reason: "done" });
    await waitFor(() => h.host.manager.get(info.id)?.state === "exited", "the runtime to exit", 15_000);
    expect(h.host.manager.get(info.id)).toMatchObject({ exitCode: 0 });
  });
});
