/**
 * DaytonaSandboxProvider held to the SandboxProvider contract, over the testkit's Daytona API
 * double in process (workerd cannot listen; no runtime runs here, so the double's runtime command
 * runs nothing). `requests` counts calls to Daytona's API; the toolbox proxy (a separate service
 * in front of the sandbox's daemon) is not counted.
 */
import { createDaytonaApi } from "../../../../testkit/src/daytona/daytona-api";
import {
  apiDoubleFetch,
  describeSandboxProviderContract,
} from "../../../test/support/sandbox-provider-contract";
import { DaytonaSandboxProvider } from "./daytona-provider";

describeSandboxProviderContract("DaytonaSandboxProvider", ({ secret, backend }) => {
  const api = createDaytonaApi({ apiKey: secret, snapshots: ["nightshift-sandbox"], runtime: "none" });
  const fetchDouble = apiDoubleFetch(api, backend);
  return {
    provider: new DaytonaSandboxProvider({
      apiUrl: "http://127.0.0.1:3986/api",
      apiKey: secret,
      snapshot: "nightshift-sandbox",
      fetch: fetchDouble,
    }),
    requests: () => api.requests.filter((r) => r.path.startsWith("/api/")).length,
  };
});
