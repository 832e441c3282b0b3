/**
 * The launcher's warm start: a fresh warm snapshot is created from; a permanent refusal marks it
 * and creates cold, once; a transient failure is the launch's (retried, the snapshot kept); a
 * resume's own snapshot wins over the warm one. Providers here are plain objects of the port.
 */
import { describe, expect, it } from "vitest";
import { memoryMeta } from "../../test/support/memory-meta";
import type { CreateSandboxInput, SandboxProvider } from "../providers/provider";
import { SandboxProviderError } from "../providers/provider";
import type { WarmChoice } from "../warm/warm-choice";
import { reportLaunch, SandboxLauncher } from "./sandbox-launcher";
import type { SessionMeta } from "./store";

const META: SessionMeta = {
  sessionId: "s-1",
  tenantId: "t-1",
  title: "t",
  repo: { kind: "local", path: "demo" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/t-1",
  createdBy: "u-1",
  status: "starting",
};

function providerThat(answer: (input: CreateSandboxInput) => void): {
  provider: SandboxProvider;
  inputs: CreateSandboxInput[];
} {
  const inputs: CreateSandboxInput[] = [];
  const provider: SandboxProvider = {
    name: "local",
    async create(input) {
      inputs.push(input);
      answer(input);
      return { providerId: `sbx-${inputs.length}`, isolation: "bubblewrap", warnings: [] };
    },
    async terminate() {},
  };
  return { provider, inputs };
}

function launcherWith(provider: SandboxProvider, warm: WarmChoice | null) {
  const { meta } = memoryMeta();
  const launcher = new SandboxLauncher(meta, {
    controlPlaneUrl: "http://127.0.0.1:8787",
    tokenSecret: "test-sandbox-token-secret-0123456789abcdef",
    provider: () => provider,
    warmSnapshot: async () => warm,
    idleTimeoutSeconds: 1800,
    now: Date.now,
  });
  return { launcher, meta };
}

function warmChoice(refusals: string[]): WarmChoice {
  return { ref: "snap_warm", commit: "a".repeat(40), refused: async (reason) => void refusals.push(reason) };
}

describe("SandboxLauncher warm start", () => {
  it("creates from the fresh warm snapshot and says so in the log and the status", async () => {
    const { provider, inputs } = providerThat(() => {});
    const { launcher, meta } = launcherWith(provider, warmChoice([]));
    const outcome = await launcher.launch(META, () => {});
    expect(inputs.map((i) => i.fromSnapshot)).toEqual(["snap_warm"]);
    expect(meta.get("sandbox.start")).toBe("warm");
    const events = reportLaunch(outcome).events;
    expect(events[0]).toMatchObject({
      type: "log",
      text: expect.stringMatching(/warm start: from the repository's prebuilt snapshot at a{12}/),
    });
    expect(events[1]).toMatchObject({
      type: "session.status",
      status: "starting",
      reason: expect.stringMatching(/^warm start: .*; no clone$/),
    });
  });

  it("a snapshot the provider refuses: marked, then one cold create", async () => {
    const refusals: string[] = [];
    const { provider, inputs } = providerThat((input) => {
      if (input.fromSnapshot)
        throw new SandboxProviderError("no such snapshot for this tenant and repository", "permanent");
    });
    const { launcher, meta } = launcherWith(provider, warmChoice(refusals));
    expect((await launcher.launch(META, () => {})).kind).toBe("started");
    expect(inputs.map((i) => i.fromSnapshot ?? null)).toEqual(["snap_warm", null]);
    expect(refusals).toEqual(["no such snapshot for this tenant and repository"]);
    expect(meta.get("sandbox.start")).toBe("cold");
  });

  it("a transient failure is the launch's to retry; the snapshot is not marked", async () => {
    const refusals: string[] = [];
    const { provider } = providerThat(() => {
      throw new SandboxProviderError("the host did not answer", "transient");
    });
    const { launcher } = launcherWith(provider, warmChoice(refusals));
    expect((await launcher.launch(META, () => {})).kind).toBe("retry");
    expect(refusals).toEqual([]);
  });

  it("a resume's own snapshot wins over the warm one", async () => {
    const { provider, inputs } = providerThat(() => {});
    const { launcher, meta } = launcherWith(provider, warmChoice([]));
    await launcher.launch({ ...META, status: "resuming" }, () => {}, "snap_resume");
    expect(inputs.map((i) => i.fromSnapshot)).toEqual(["snap_resume"]);
    expect(meta.get("sandbox.start")).toBe("cold");
  });
});
