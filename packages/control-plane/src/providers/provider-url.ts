/**
 * A cloud provider's API base URL from the Worker's settings. Its credential travels in every
 * request, so only over TLS, or to this machine (a double, a tunnel); anything else fails fast,
 * named, as a permanent error.
 */
import { SandboxProviderError } from "./provider";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** `setting` names the variable in the message; `example` shows a good value. */
export function providerApiUrl(setting: string, value: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SandboxProviderError(`${setting} is not a URL (e.g. ${example})`, "permanent");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    throw new SandboxProviderError(
      `${setting} must be an https:// URL (http only for 127.0.0.1)`,
      "permanent",
    );
  }
  return url;
}
