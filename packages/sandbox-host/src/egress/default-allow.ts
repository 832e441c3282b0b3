/**
 * What every isolated sandbox may reach besides what its session needs (control plane, model
 * API, git host) and its tenant's allowlist: the public package registries, so `npm install`,
 * `pip install`, `apt-get`, `cargo` and `go` work in setup scripts. Replaced with
 * `--egress-allow` (NIGHTSHIFT_EGRESS_ALLOW); `--egress-allow none` allows none of them.
 */
export const DEFAULT_EGRESS_ALLOW = [
  "registry.npmjs.org",
  "registry.yarnpkg.com",
  "pypi.org",
  "files.pythonhosted.org",
  "deb.debian.org",
  "security.debian.org",
  "crates.io",
  "static.crates.io",
  "index.crates.io",
  "proxy.golang.org",
  "sum.golang.org",
  "rubygems.org",
  "repo.maven.apache.org",
] as const;
