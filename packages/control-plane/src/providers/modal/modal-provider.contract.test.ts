/**
 * ModalSandboxProvider held to the SandboxProvider contract, over the testkit's double of our
 * Modal app in process (workerd cannot listen; no runtime runs here, so the double's sandboxes
 * simply run). `requests` counts calls that reached the app (or tried to).
 */
import { createModalAppApi } from "../../../../testkit/src/modal/modal-app-api";
import { describeSandboxProviderContract } from "../../../test/support/sandbox-provider-contract";
import { ModalSandboxProvider } from "./modal-provider";

describeSandboxProviderContract("ModalSandboxProvider", ({ secret, backend }) => {
  const api = createModalAppApi({ proxyToken: { id: "wk-contract", secret } });
  if (backend.kind === "failing")
    api.injectFault({ status: backend.status, calls: Number.MAX_SAFE_INTEGER, message: backend.message });
  const fetchDouble = (async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (backend.kind === "unreachable") {
      api.requests.push({
        method: request.method,
        path: new URL(request.url).pathname,
        body: null,
        authorized: false,
      });
      throw new TypeError("Network connection lost.");
    }
    return api.fetch(request);
  }) as typeof fetch;
  return {
    provider: new ModalSandboxProvider({
      appUrl: "http://127.0.0.1:3987",
      tokenId: "wk-contract",
      tokenSecret: secret,
      fetch: fetchDouble,
    }),
    requests: () => api.requests.length,
  };
});
