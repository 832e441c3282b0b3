import { describe, expect, it } from "vitest";
import type { Bindings } from "../env";
import { availableProviders, deploymentDefaultProvider, type ProviderEnv } from "./availability";
import { createSandboxProvider } from "./factory";

const LOCAL = { SANDBOX_HOST_URL: "http://127.0.0.1:8788", SANDBOX_HOST_SECRET: "s".repeat(32) };
const DAYTONA = { DAYTONA_API_KEY: "dtn_key", DAYTONA_SNAPSHOT: "nightshift-runtime" };
const MODAL = {
  MODAL_APP_URL: "https://acme--nightshift-sandboxes.modal.run",
  MODAL_PROXY_TOKEN_ID: "wk-id",
  MODAL_PROXY_TOKEN_SECRET: "ws-secret",
};

describe("which sandbox providers a deployment can run", () => {
  it("offers nothing when no provider is configured", () => {
    expect(availableProviders({})).toEqual([]);
  });

  it("offers each provider whose settings are complete, in Nightshift's order", () => {
    expect(availableProviders(LOCAL)).toEqual(["local"]);
    expect(availableProviders(DAYTONA)).toEqual(["daytona"]);
    expect(availableProviders(MODAL)).toEqual(["modal"]);
    expect(availableProviders({ ...MODAL, ...DAYTONA, ...LOCAL })).toEqual(["local", "daytona", "modal"]);
  });

  it("does not offer a provider with half its settings or a malformed one", () => {
    const env: ProviderEnv = {
      SANDBOX_HOST_URL: LOCAL.SANDBOX_HOST_URL,
      DAYTONA_API_KEY: "dtn_key",
      ...MODAL,
      MODAL_APP_URL: "http://modal.example.com",
    };
    expect(availableProviders(env)).toEqual([]);
    expect(availableProviders({ ...DAYTONA, DAYTONA_API_URL: "not a url" })).toEqual([]);
  });

  it("defaults to SANDBOX_PROVIDER, or local when it is unset", () => {
    expect(deploymentDefaultProvider({})).toBe("local");
    expect(deploymentDefaultProvider({ SANDBOX_PROVIDER: "modal" })).toBe("modal");
  });

  it("builds the provider named, whatever the deployment's default", () => {
    const env = { ...LOCAL, ...DAYTONA, ...MODAL, SANDBOX_PROVIDER: "local" } as Bindings;
    expect(createSandboxProvider(env).name).toBe("local");
    expect(createSandboxProvider(env, "daytona").name).toBe("daytona");
    expect(createSandboxProvider(env, "modal").name).toBe("modal");
    expect(() => createSandboxProvider(env, "lambda")).toThrow(/supported: local, daytona, modal/);
  });
});
