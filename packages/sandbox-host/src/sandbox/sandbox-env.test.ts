import { describe, expect, it } from "vitest";
import { sandboxEnvironment } from "./sandbox-env";

const base = {
  hostEnv: {
    LANG: "en_US.UTF-8",
    ANTHROPIC_API_KEY: "sk-host",
    ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
    AWS_SECRET: "no",
  },
  passEnv: ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY"],
  nodeBinDir: "/opt/node/bin",
  workdir: "/s/work",
  home: "/s/home",
  stateDir: "/s/state",
  tmpDir: null,
  sandboxed: true,
};

describe("sandboxEnvironment", () => {
  it("is built from the allowlist only", () => {
    const env = sandboxEnvironment({
      ...base,
      requestEnv: {
        NIGHTSHIFT_SESSION_ID: "s1",
        NIGHTSHIFT_REPO_URL: "http://cp.example/sandbox/git/local/demo.git",
        DB_URL: "postgres://x",
        NIGHTSHIFT_SECRET_NAMES: "DB_URL",
      },
    });
    expect(env).toEqual({
      PATH: "/opt/node/bin:/usr/local/bin:/usr/bin:/bin",
      LANG: "en_US.UTF-8",
      ANTHROPIC_API_KEY: "sk-host",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
      NIGHTSHIFT_SESSION_ID: "s1",
      NIGHTSHIFT_REPO_URL: "http://cp.example/sandbox/git/local/demo.git",
      DB_URL: "postgres://x",
      NIGHTSHIFT_SECRET_NAMES: "DB_URL,ANTHROPIC_API_KEY",
      HOME: "/s/home",
      NIGHTSHIFT_WORKDIR: "/s/work",
      NIGHTSHIFT_STATE_DIR: "/s/state",
      IS_SANDBOX: "1",
    });
    expect(env).not.toHaveProperty("AWS_SECRET");
  });

  it("refuses a request that tries to set what the host owns", () => {
    expect(() => sandboxEnvironment({ ...base, requestEnv: { HOME: "/" } })).toThrow(
      /set by the sandbox host/,
    );
    expect(() => sandboxEnvironment({ ...base, requestEnv: { PATH: "/evil" } })).toThrow(/env.PATH/);
    expect(() => sandboxEnvironment({ ...base, requestEnv: { NIGHTSHIFT_ENV_FD: "0" } })).toThrow(
      /env.NIGHTSHIFT_ENV_FD is set by the sandbox host/,
    );
  });

  it("refuses variables that change how a loader, an interpreter, a shell or git behaves", () => {
    for (const name of ["LD_PRELOAD", "NODE_OPTIONS", "BASH_ENV", "GIT_SSH_COMMAND", "PERL5OPT", "LC_ALL"]) {
      expect(() => sandboxEnvironment({ ...base, requestEnv: { [name]: "x" } }), name).toThrow(
        new RegExp(`env\\.${name}: ${name} changes how`),
      );
    }
    // The control plane's own variables pass.
    expect(() =>
      sandboxEnvironment({ ...base, requestEnv: { NIGHTSHIFT_SANDBOX_TOKEN: "t", NIGHTSHIFT_BRANCH: "b" } }),
    ).not.toThrow();
  });

  it("merges the request's secret names with the passed credentials, trimmed, once each, blanks dropped", () => {
    const env = sandboxEnvironment({
      ...base,
      hostEnv: { ...base.hostEnv, GH_TOKEN: "ghp", DB_PASSWORD: "pw", NPM_CREDENTIALS: "c", EMPTY_TOKEN: "" },
      passEnv: [
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL",
        "GH_TOKEN",
        "DB_PASSWORD",
        "NPM_CREDENTIALS",
        "EMPTY_TOKEN",
      ],
      requestEnv: { NIGHTSHIFT_SECRET_NAMES: " DB_URL , ,ANTHROPIC_API_KEY,DB_URL,", DB_URL: "postgres://x" },
    });
    expect(env.NIGHTSHIFT_SECRET_NAMES).toBe("DB_URL,ANTHROPIC_API_KEY,GH_TOKEN,DB_PASSWORD,NPM_CREDENTIALS");
    // A pass-through variable that is empty on the host is not passed, so it names no secret either.
    expect(env).not.toHaveProperty("EMPTY_TOKEN");
  });

  it("recognises a credential by its name in any case, and names no secret when there is none", () => {
    const lower = sandboxEnvironment({
      ...base,
      hostEnv: { my_api_secret: "s", PLAIN_URL: "http://x" },
      passEnv: ["my_api_secret", "PLAIN_URL"],
      requestEnv: {},
    });
    expect(lower.NIGHTSHIFT_SECRET_NAMES).toBe("my_api_secret");
    const none = sandboxEnvironment({
      ...base,
      hostEnv: { PLAIN_URL: "http://x" },
      passEnv: ["PLAIN_URL"],
      requestEnv: {},
    });
    expect(none).not.toHaveProperty("NIGHTSHIFT_SECRET_NAMES");
    expect(none.PLAIN_URL).toBe("http://x");
  });

  it("points TMPDIR at the sandbox's own temp dir when it has one", () => {
    expect(sandboxEnvironment({ ...base, tmpDir: "/s/tmp", requestEnv: {} }).TMPDIR).toBe("/s/tmp");
    expect(sandboxEnvironment({ ...base, tmpDir: null, requestEnv: {} })).not.toHaveProperty("TMPDIR");
    expect(() => sandboxEnvironment({ ...base, requestEnv: { TMPDIR: "/tmp" } })).toThrow(
      "env.TMPDIR is set by the sandbox host and cannot be sent",
    );
  });

  it("says IS_SANDBOX only inside bubblewrap, and falls back to C.UTF-8 without a host LANG", () => {
    const unsandboxed = sandboxEnvironment({
      ...base,
      hostEnv: { LANG: "" },
      sandboxed: false,
      requestEnv: {},
    });
    expect(unsandboxed).not.toHaveProperty("IS_SANDBOX");
    expect(unsandboxed.LANG).toBe("C.UTF-8");
    expect(sandboxEnvironment({ ...base, hostEnv: {}, requestEnv: {} }).LANG).toBe("C.UTF-8");
  });
});
