/**
 * LocalSandboxProvider held to the SandboxProvider contract, over the sandbox host's HTTP API as
 * an in-process double (testkit): workerd cannot listen, so the host cannot run inside this test.
 */
import { sandboxHostFetch } from "../../../../testkit/src/sandbox-host/sandbox-host-fetch";
import { describeSandboxProviderContract } from "../../../test/support/sandbox-provider-contract";
import { LocalSandboxProvider } from "./local-provider";

describeSandboxProviderContract("LocalSandboxProvider", ({ secret, backend }) => {
  const host = sandboxHostFetch(secret, backend);
  return {
    provider: new LocalSandboxProvider({ hostUrl: "http://127.0.0.1:7070", secret, fetch: host.fetch }),
    requests: () => host.requests.length,
  };
});
