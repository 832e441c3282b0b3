/**
 * Every name the families list is refused, and the refusal names the family, so a tenant who
 * picks NLSPATH or PROMPT_COMMAND learns why (the family list in env-names.ts is the contract).
 */
import { describe, expect, it } from "vitest";
import { RESERVED_ENV_PREFIX, unsafeEnvNameReason, unsafeSecretNameReason } from "./env-names.ts";

const FAMILY_MEMBERS: Record<string, string[]> = {
  "the dynamic loader": ["LD_BIND_NOW", "DYLD_INSERT_LIBRARIES", "_RLD_ROOT"],
  "the C library (locale, iconv, malloc, tunables, resolver)": [
    "GCONV_PATH",
    "LOCPATH",
    "NLSPATH",
    "GLIBC_TUNABLES",
    "HOSTALIASES",
    "LOCALDOMAIN",
    "RES_OPTIONS",
    "TZDIR",
    "GETCONF_DIR",
    "MALLOC_ARENA_MAX",
    "LC_CTYPE",
    "RESOLV_HOST_CONF",
  ],
  "Node.js": ["NODE_EXTRA_CA_CERTS", "UV_THREADPOOL_SIZE"],
  "the shell": ["BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "IFS", "CDPATH", "PROMPT_COMMAND"],
  Python: ["PYTHONHOME"],
  Perl: ["PERLLIB"],
  Ruby: ["RUBYOPT", "GEM_HOME", "GEM_PATH"],
  git: ["GIT_DIR"],
  "the Java runtime": ["JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"],
  OpenSSL: ["OPENSSL_CONF", "OPENSSL_ENGINES", "OPENSSL_MODULES"],
  "the process's search paths and identity": [
    "PATH",
    "HOME",
    "TMPDIR",
    "SHELL",
    "USER",
    "LOGNAME",
    "PWD",
    "TERM",
  ],
};

describe("environment name families", () => {
  for (const [family, names] of Object.entries(FAMILY_MEMBERS)) {
    it.each(names)(`%s is refused as part of ${family}`, (name) => {
      expect(unsafeEnvNameReason(name)).toBe(
        `${name} changes how ${family} behaves and cannot be set as a secret or sandbox variable; choose another name`,
      );
    });
  }

  it("exact names are not prefixes: near misses stay allowed", () => {
    for (const name of [
      "IFS_X",
      "ENVIRONMENT",
      "PATHS",
      "HOMEDIR",
      "TERM_PROGRAM_X",
      "GEM_HOMES",
      "XNODE_OPTIONS",
    ])
      expect(unsafeEnvNameReason(name), name).toBeNull();
  });

  it("a reserved secret name says which prefix is reserved", () => {
    expect(unsafeSecretNameReason("nightshift_x")).toBe(
      `nightshift_x is reserved for Nightshift's own variables; choose a name that does not start with ${RESERVED_ENV_PREFIX}`,
    );
    expect(unsafeSecretNameReason("LD_PRELOAD")).toBe(unsafeEnvNameReason("LD_PRELOAD"));
  });
});
