/**
 * Between component tests: DOM cleanup, and the little global state there is reset. The files share
 * one module graph and one DOM (`isolate: false` in vitest.config.ts: setting up happy-dom and
 * importing React per file was three quarters of the suite's time), so nothing a file sets may
 * reach the next: the active tenant, stubbed globals, web storage (where the environment has it: some files run in plain Node).
 */
import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";
import { setActiveTenant } from "../src/api/http-client";

afterEach(() => {
  cleanup();
  setActiveTenant(null);
  vi.unstubAllGlobals();
  globalThis.localStorage?.clear();
  globalThis.sessionStorage?.clear();
});
