/**
 * One credential helper invocation on this process's stdin and stdout: what both the runtime
 * bundle (`runtime.mjs git-credential <action>`) and the helper's own small bundle
 * (`git-credential.mjs <action>`) run. Imports nothing but the helper itself, so the small bundle
 * stays small.
 */
import { runCredentialHelper } from "./credential-helper";

function readStdin(): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => {
      text += chunk;
    });
    process.stdin.on("end", () => resolve(text));
  });
}

export async function answerCredentialRequest(
  action: string | undefined,
  env: Record<string, string | undefined>,
): Promise<number> {
  return runCredentialHelper({
    action,
    input: await readStdin(),
    env,
    write: (text) => process.stdout.write(text),
    warn: (text) => process.stderr.write(`${text}\n`),
  });
}
