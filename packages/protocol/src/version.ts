/** Wire version carried as `v` on every frame and body that crosses a process boundary. */
export const PROTOCOL_VERSION = 1 as const;
