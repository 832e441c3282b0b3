/**
 * Environment variable names that change how a loader, an interpreter, a shell or git behaves.
 * A tenant secret becomes a variable in the sandbox, and a variable named like this would let
 * whoever sets it run code in every process that starts there (the host's own launcher
 * included, if it ever saw it). Such names are refused as secret names by the control plane
 * and in the sandbox host's create request. The rule is by family, not by a short list of
 * known-bad names: a new Python or Node option of the same family is refused too.
 */

interface Family {
  /** What the family is, for the error message. */
  what: string;
  test(name: string): boolean;
}

const exact = (...names: string[]) => {
  const set = new Set(names);
  return (name: string) => set.has(name);
};
const prefix =
  (...prefixes: string[]) =>
  (name: string) =>
    prefixes.some((p) => name.startsWith(p));

const FAMILIES: readonly Family[] = [
  { what: "the dynamic loader", test: prefix("LD_", "DYLD_", "_RLD") },
  {
    what: "the C library (locale, iconv, malloc, tunables, resolver)",
    test: (n) =>
      exact(
        "GCONV_PATH",
        "LOCPATH",
        "NLSPATH",
        "GLIBC_TUNABLES",
        "HOSTALIASES",
        "LOCALDOMAIN",
        "RES_OPTIONS",
        "TZDIR",
        "GETCONF_DIR",
      )(n) || prefix("MALLOC_", "LC_", "RESOLV_")(n),
  },
  { what: "Node.js", test: (n) => n.startsWith("NODE_") || n === "UV_THREADPOOL_SIZE" },
  {
    what: "the shell",
    test: exact("BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "IFS", "CDPATH", "PROMPT_COMMAND"),
  },
  { what: "Python", test: prefix("PYTHON") },
  { what: "Perl", test: (n) => n.startsWith("PERL") },
  { what: "Ruby", test: (n) => n.startsWith("RUBY") || n === "GEM_HOME" || n === "GEM_PATH" },
  { what: "git", test: prefix("GIT_") },
  { what: "the Java runtime", test: exact("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS") },
  { what: "OpenSSL", test: exact("OPENSSL_CONF", "OPENSSL_ENGINES", "OPENSSL_MODULES") },
  {
    what: "the process's search paths and identity",
    test: exact("PATH", "HOME", "TMPDIR", "SHELL", "USER", "LOGNAME", "PWD", "TERM"),
  },
];

/** Names the control plane sets for the runtime; a tenant secret may not use the prefix. */
export const RESERVED_ENV_PREFIX = "NIGHTSHIFT_";

/**
 * Why `name` may not reach a sandbox from a request, or null when it may. The control plane's
 * own `NIGHTSHIFT_*` variables pass here (the host's create request carries them); secret names
 * are checked with `unsafeSecretNameReason`, which refuses that prefix too.
 */
export function unsafeEnvNameReason(name: string): string | null {
  const upper = name.toUpperCase();
  const family = FAMILIES.find((f) => f.test(upper));
  if (!family) return null;
  return `${name} changes how ${family.what} behaves and cannot be set as a secret or sandbox variable; choose another name`;
}

export function isUnsafeEnvName(name: string): boolean {
  return unsafeEnvNameReason(name) !== null;
}

/** Why `name` may not be a tenant secret's name, or null when it may. */
export function unsafeSecretNameReason(name: string): string | null {
  if (name.toUpperCase().startsWith(RESERVED_ENV_PREFIX))
    return `${name} is reserved for Nightshift's own variables; choose a name that does not start with ${RESERVED_ENV_PREFIX}`;
  return unsafeEnvNameReason(name);
}
