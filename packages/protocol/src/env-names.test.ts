import { describe, expect, it } from "vitest";
import { isUnsafeEnvName, unsafeEnvNameReason, unsafeSecretNameReason } from "./env-names.ts";

describe("unsafe environment names", () => {
  it.each([
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "GCONV_PATH",
    "LOCPATH",
    "LC_ALL",
    "GLIBC_TUNABLES",
    "MALLOC_CHECK_",
    "NODE_OPTIONS",
    "NODE_PATH",
    "BASH_ENV",
    "ENV",
    "PS4",
    "SHELLOPTS",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "PERL5LIB",
    "RUBYOPT",
    "RUBYLIB",
    "GIT_CONFIG_GLOBAL",
    "GIT_SSH_COMMAND",
    "JAVA_TOOL_OPTIONS",
    "OPENSSL_CONF",
    "PATH",
    "HOME",
  ])("refuses %s and says which family it belongs to", (name) => {
    expect(isUnsafeEnvName(name)).toBe(true);
    expect(unsafeEnvNameReason(name)).toContain(name);
  });

  it.each(["ANTHROPIC_API_KEY", "NPM_TOKEN", "DATABASE_URL", "SENTRY_DSN", "LDAP_HOST", "GITHUB_TOKEN"])(
    "accepts %s",
    (name) => {
      expect(unsafeEnvNameReason(name)).toBeNull();
      expect(unsafeSecretNameReason(name)).toBeNull();
    },
  );

  it("lets the control plane's own variables through the sandbox check but not as secret names", () => {
    expect(unsafeEnvNameReason("NIGHTSHIFT_SANDBOX_TOKEN")).toBeNull();
    expect(unsafeSecretNameReason("NIGHTSHIFT_SANDBOX_TOKEN")).toMatch(/reserved/);
  });

  it("judges names case-insensitively", () => {
    expect(isUnsafeEnvName("ld_preload")).toBe(true);
  });
});
