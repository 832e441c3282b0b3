/**
 * How git starts the credential helper: the small bundle beside the runtime's when it is there
 * (the whole runtime otherwise), and no Node at all for git's store and erase, which follow every
 * authenticated request (each start of the whole bundle cost ~0.3 s of CPU on a clone).
 */
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { runCommand } from "../process/run-command";
import {
  CREDENTIAL_REPO_ENV,
  CREDENTIAL_TOKEN_ENV,
  CREDENTIAL_URL_ENV,
  credentialHelperCommand,
  HELPER_BUNDLE_NAME,
} from "./credential-helper";

const PLANE = "http://127.0.0.1:9";
const REPO = `${PLANE}/sandbox/git/github/acme/api.git`;
const TOKEN = "sandbox-token-for-the-helper";
const helperEnv = {
  [CREDENTIAL_URL_ENV]: PLANE,
  [CREDENTIAL_TOKEN_ENV]: TOKEN,
  [CREDENTIAL_REPO_ENV]: REPO,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ns-helper-launch-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `git credential <verb>` with `helper` as the only credential.helper. */
function gitCredential(verb: "fill" | "approve" | "reject", helper: string) {
  const input =
    verb === "fill" ? `url=${REPO}\n\n` : `url=${REPO}\nusername=x-sandbox-token\npassword=${TOKEN}\n\n`;
  return runCommand(
    "git",
    [
      "-c",
      "credential.helper=",
      "-c",
      `credential.helper=${helper}`,
      "-c",
      "credential.useHttpPath=true",
    ].concat(["credential", verb]),
    {
      input,
      env: { ...process.env, ...helperEnv, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_GLOBAL: "/dev/null" },
      timeoutMs: 20_000,
    },
  );
}

/** A stand-in for node that records each start (its arguments) and then runs the real node. */
function recordingNode(): { path: string; starts: () => string[] } {
  const log = join(dir, "starts.log");
  writeFileSync(log, "");
  const path = join(dir, "node-recorder.sh");
  writeFileSync(path, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${process.execPath}' "$@"\n`);
  chmodSync(path, 0o755);
  return { path, starts: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

describe("starting the git credential helper", () => {
  it("git's store and erase after an authenticated request start no Node; get does", async () => {
    const node = recordingNode();
    const helper = credentialHelperCommand(node.path, inject("plumbingBundle"));
    expect((await gitCredential("approve", helper)).code).toBe(0);
    expect((await gitCredential("reject", helper)).code).toBe(0);
    expect(node.starts()).toEqual([]);
    const filled = await gitCredential("fill", helper);
    expect(filled.code, filled.stderr).toBe(0);
    expect(filled.stdout).toContain(`password=${TOKEN}\n`);
    expect(node.starts()).toHaveLength(1);
  });

  it("runs the small helper bundle beside the runtime's, not the whole runtime", async () => {
    const node = recordingNode();
    const bundle = inject("plumbingBundle");
    const filled = await gitCredential("fill", credentialHelperCommand(node.path, bundle));
    expect(filled.code, filled.stderr).toBe(0);
    expect(filled.stdout).toContain(`password=${TOKEN}\n`);
    const [start] = node.starts();
    expect(start).toContain(`/${HELPER_BUNDLE_NAME} get`);
    expect(start).not.toContain(basename(bundle));
  });

  it("falls back to the runtime bundle's own helper when the small bundle is missing (an image with runtime.mjs only)", async () => {
    const alone = join(dir, "runtime.mjs");
    copyFileSync(inject("plumbingBundle"), alone);
    const node = recordingNode();
    const filled = await gitCredential("fill", credentialHelperCommand(node.path, alone));
    expect(filled.code, filled.stderr).toBe(0);
    expect(filled.stdout).toContain(`password=${TOKEN}\n`);
    expect(node.starts()).toEqual([`${alone} git-credential get`]);
  });

  it("quotes paths with spaces and quotes for the shell git runs the helper in", () => {
    const command = credentialHelperCommand(
      "/opt/my node/bin/node",
      "/srv/it's here/runtime.mjs",
      () => true,
    );
    expect(command).toBe(
      `!f() { test "$1" = get || exit 0; exec '/opt/my node/bin/node' '/srv/it'\\''s here/git-credential.mjs' get; }; f`,
    );
  });
});
