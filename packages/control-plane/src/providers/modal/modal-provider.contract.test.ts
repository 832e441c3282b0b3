/**
 * ModalSandboxProvider held to the SandboxProvider contract, over the testkit's double of our
 * Modal app in process (workerd cannot listen; no runtime runs here, so the double's sandboxes
 * simply run). `requests` counts calls that reached the app (or tried to).
 */
import { createModalAppApi } from "../../../../testkit/src/modal/modal-app-api";
import {
  apiDoubleFetch,
  describeSandboxProviderContract,
} from "../../../test/support/sandbox-provider-contract";
import { ModalSandboxProvider } from "./modal-provider";

describeSandboxProviderContract("ModalSandboxProvider", ({ secret, backend }) => {
  const api = createModalAppApi({ proxyToken: { id: "wk-contract", secret } });
  const fetchDouble = apiDoubleFetch(api, backend);
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
