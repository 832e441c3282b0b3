import { describe, expect, it } from "vitest";
import { mergeBootstrapAnswer, rebaseRepoUrl } from "./merge";

const PLANE = "https://nightshift.example.com";
const FORWARDER = "http://127.0.0.1:3128";

describe("merging the exchange's answer", () => {
  it("keeps what the sandbox's provider set (control-plane URL, paths, HOME, proxies) and fills in the rest", () => {
    const own = {
      NIGHTSHIFT_CONTROL_PLANE_URL: FORWARDER,
      NIGHTSHIFT_SESSION_ID: "s1",
      NIGHTSHIFT_WORKDIR: "/host/sbx/work",
      HOME: "/nightshift/home",
      HTTPS_PROXY: FORWARDER,
    };
    const answer = {
      NIGHTSHIFT_CONTROL_PLANE_URL: PLANE,
      NIGHTSHIFT_SESSION_ID: "s1",
      NIGHTSHIFT_WORKDIR: "/nightshift/work",
      NIGHTSHIFT_STATE_DIR: "/nightshift/state",
      NIGHTSHIFT_SANDBOX_TOKEN: "tok",
      HOME: "/elsewhere",
      HTTPS_PROXY: "http://attacker.example",
    };
    expect(mergeBootstrapAnswer(own, answer)).toEqual({
      ok: true,
      env: { ...own, NIGHTSHIFT_STATE_DIR: "/nightshift/state", NIGHTSHIFT_SANDBOX_TOKEN: "tok" },
    });
  });

  it("masks both lists of secret names", () => {
    const merged = mergeBootstrapAnswer(
      { NIGHTSHIFT_SECRET_NAMES: "ANTHROPIC_API_KEY, A" },
      { NIGHTSHIFT_SECRET_NAMES: "A,NPM_TOKEN", NPM_TOKEN: "n" },
    );
    expect(merged.ok && merged.env.NIGHTSHIFT_SECRET_NAMES).toBe("ANTHROPIC_API_KEY,A,NPM_TOKEN");
  });

  it("moves the repository URL onto the URL this sandbox dials the control plane by", () => {
    const merged = mergeBootstrapAnswer(
      { NIGHTSHIFT_CONTROL_PLANE_URL: `${FORWARDER}/base` },
      {
        NIGHTSHIFT_CONTROL_PLANE_URL: `${PLANE}/base/`,
        NIGHTSHIFT_REPO_URL: `${PLANE}/base/sandbox/git/local/demo.git`,
      },
    );
    expect(merged.ok && merged.env.NIGHTSHIFT_REPO_URL).toBe(`${FORWARDER}/base/sandbox/git/local/demo.git`);
    expect(rebaseRepoUrl(`${PLANE}/basement/x.git`, `${PLANE}/base`, FORWARDER)).toBe(
      `${PLANE}/basement/x.git`,
    );
    expect(rebaseRepoUrl("/srv/repo.git", PLANE, FORWARDER)).toBe("/srv/repo.git");
  });

  it("refuses an answer for another session", () => {
    expect(mergeBootstrapAnswer({ NIGHTSHIFT_SESSION_ID: "s1" }, { NIGHTSHIFT_SESSION_ID: "s2" })).toEqual({
      ok: false,
      problem: "the bootstrap exchange answered for another session than NIGHTSHIFT_SESSION_ID names",
    });
  });
});
