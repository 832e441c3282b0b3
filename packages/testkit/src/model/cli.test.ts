import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../bin/scripted-model.mjs", import.meta.url));
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
});

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  started.push(child);
  return child;
}

/** The first stdout line, or a failure after `timeoutMs`. */
async function firstLine(child: ChildProcess, timeoutMs = 10_000): Promise<string> {
  let buffered = "";
  const line = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const end = buffered.indexOf("\n");
      if (end >= 0) resolve(buffered.slice(0, end));
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no output within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([line, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("nightshift-scripted-model CLI", () => {
  it("prints its base URL, serves the API with the key from the environment, and stops on SIGTERM", async () => {
    const child = run(["--quiet", "--pace-ms", "0"], { SCRIPTED_MODEL_API_KEY: "sk-cli" });
    const line = await firstLine(child);
    expect(line).toMatch(/^ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.split("=")[1]!;
    const request = (key: string) =>
      fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
      });
    expect((await request("nope")).status).toBe(401);
    const ok = await request("sk-cli");
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { content: { text: string }[] }).content[0]!.text).toContain(
      "no Write tool",
    );
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("rejects a bad option with a usage line and exit code 2", async () => {
    const child = run(["--port", "not-a-port"]);
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr).toContain("--port");
    expect(stderr).toContain("usage: nightshift-scripted-model");
  });
});
