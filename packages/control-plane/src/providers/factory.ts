/** Builds a SandboxProvider by name (the deployment's by default), failing fast with the missing settings named. */
import type { Bindings } from "../env";
import { deploymentDefaultProvider } from "./availability";
import { daytonaConfigFrom } from "./daytona/daytona-config";
import { DaytonaSandboxProvider } from "./daytona/daytona-provider";
import { localConfigFrom } from "./local/local-config";
import { LocalSandboxProvider } from "./local/local-provider";
import { modalConfigFrom } from "./modal/modal-config";
import { ModalSandboxProvider } from "./modal/modal-provider";
import { type SandboxProvider, SandboxProviderError } from "./provider";

export function createSandboxProvider(
  env: Bindings,
  name: string = deploymentDefaultProvider(env),
): SandboxProvider {
  if (name === "local") return new LocalSandboxProvider(localConfigFrom(env));
  if (name === "daytona") return new DaytonaSandboxProvider(daytonaConfigFrom(env));
  if (name === "modal") return new ModalSandboxProvider(modalConfigFrom(env));
  throw new SandboxProviderError(
    `unknown SANDBOX_PROVIDER "${name}"; supported: local, daytona, modal`,
    "permanent",
  );
}
