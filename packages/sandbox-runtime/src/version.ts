/** The runtime's version, sent in `hello` so the control plane can tell incarnations apart in logs. */
export const RUNTIME_VERSION = "0.1.0";
