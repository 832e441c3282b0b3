import { describe, expect, it } from "vitest";
import { buildChildEnv, INHERITED_VARIABLES, maskSecrets, secretValues } from "./child-env";

describe("buildChildEnv", () => {
  const parent = {
    PATH: "/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    HTTPS_PROXY: "http://127.0.0.1:3128",
    NIGHTSHIFT_SANDBOX_TOKEN: "jwt-of-the-runtime",
    AWS_SECRET_ACCESS_KEY: "leak-me-not",
    HOME: "/root",
  };

  it("passes only allowlisted variables, sets TERM=dumb and the request's HOME", () => {
    const env = buildChildEnv({ parent, home: "/sandbox/home", adapterEnv: {}, requestEnv: {} });
    expect(env).toEqual({
      PATH: "/usr/bin:/bin",
      LANG: "en_US.UTF-8",
      HTTPS_PROXY: "http://127.0.0.1:3128",
      TERM: "dumb",
      NO_COLOR: "1",
      HOME: "/sandbox/home",
    });
  });

  it("layers adapter defaults under the request's variables, and HOME cannot be overridden", () => {
    const env = buildChildEnv({
      parent: {},
      home: "/h",
      adapterEnv: { CLAUDE_CODE_MAX_RETRIES: "2", IS_SANDBOX: "1" },
      requestEnv: { CLAUDE_CODE_MAX_RETRIES: "0", ANTHROPIC_API_KEY: "sk-1", HOME: "/elsewhere" },
    });
    expect(env).toMatchObject({
      CLAUDE_CODE_MAX_RETRIES: "0",
      IS_SANDBOX: "1",
      ANTHROPIC_API_KEY: "sk-1",
      HOME: "/h",
    });
    expect(env.PATH).toBe("/usr/local/bin:/usr/bin:/bin");
  });
});

describe("secret masking", () => {
  it("masks values of secret-looking variables, longest first, and leaves the rest", () => {
    const secrets = secretValues({
      ANTHROPIC_API_KEY: "sk-ant-123456",
      GITHUB_TOKEN: "ghs_abcdef",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
      SHORT_KEY: "abc",
    });
    expect(secrets).toEqual(["sk-ant-123456", "ghs_abcdef"]);
    expect(maskSecrets("key sk-ant-123456 at http://127.0.0.1:9, token ghs_abcdef", secrets)).toBe(
      "key [redacted] at http://127.0.0.1:9, token [redacted]",
    );
  });

  it("passes every allowlisted variable a shell tool needs, and nothing unset", () => {
    const allowlisted = Object.fromEntries(INHERITED_VARIABLES.map((name) => [name, `v-${name}`]));
    const env = buildChildEnv({
      parent: { ...allowlisted, OTHER: "x" },
      home: "/h",
      adapterEnv: {},
      requestEnv: {},
    });
    expect(env).toStrictEqual({ ...allowlisted, TERM: "dumb", NO_COLOR: "1", HOME: "/h" });
    for (const name of [
      "LC_ALL",
      "LC_CTYPE",
      "TZ",
      "TMPDIR",
      "SHELL",
      "USER",
      "LOGNAME",
      "NODE_EXTRA_CA_CERTS",
      "SSL_CERT_FILE",
      "SSL_CERT_DIR",
    ])
      expect(INHERITED_VARIABLES, name).toContain(name);
    const bare = buildChildEnv({ parent: { LANG: undefined }, home: "/h", adapterEnv: {}, requestEnv: {} });
    expect(bare).toStrictEqual({
      PATH: "/usr/local/bin:/usr/bin:/bin",
      LANG: "C.UTF-8",
      TERM: "dumb",
      NO_COLOR: "1",
      HOME: "/h",
    });
  });

  it("recognises every secret-looking name in any case, from six characters on", () => {
    expect(
      secretValues({
        MY_PASSWD: "pw-value-1",
        db_password: "pw-value-22",
        AWS_CREDENTIALS: "cred-value-333",
        BASIC_AUTH: "auth-value-4444",
        client_secret: "secret-55555",
        EXACT: "123456",
        SIX_KEY: "123456",
        FIVE_KEY: "12345",
      }),
    ).toEqual(["auth-value-4444", "cred-value-333", "secret-55555", "pw-value-22", "pw-value-1", "123456"]);
  });

  it("masks every occurrence, and leaves text without secrets as it is", () => {
    expect(maskSecrets("abc abc abc", ["abc"])).toBe("[redacted] [redacted] [redacted]");
    expect(maskSecrets("nothing here", ["abcdef"])).toBe("nothing here");
    expect(maskSecrets("nothing here", [])).toBe("nothing here");
  });
});
