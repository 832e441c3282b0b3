/**
 * The variables that point a program at the sandbox's egress proxy. Every child that may reach
 * the network (git, the agent CLI and its tools) inherits all of them from the runtime, in both
 * spellings, since tools disagree on which one they read.
 */
export const PROXY_VARIABLES = [
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
] as const;
