import { describe, expect, it } from "vitest";
import { bubblewrapArgs } from "./bubblewrap";

describe("bubblewrapArgs", () => {
  const args = bubblewrapArgs({
    readOnly: [
      ...["/opt/node", "/opt/node/lib", "/usr/lib/node_modules", "/tmp/tools"].map((p) => ({
        source: p,
        dest: p,
      })),
      { source: "/tmp/nightshift-tools-1777/ab12-cd34/tree", dest: "/root/private/node_modules" },
    ],
    systemOverrides: [{ source: "/tmp/nightshift-tools-1777/passwd-1777", dest: "/etc/passwd" }],
    readWrite: [
      { source: "/tmp/s/work", dest: "/nightshift/work" },
      { source: "/tmp/s/home", dest: "/nightshift/home" },
    ],
    chdir: "/nightshift/work",
    command: ["/opt/node/bin/node", "/opt/runtime.mjs"],
    infoFd: 3,
    egressSocket: { source: "/tmp/s/egress.sock", dest: "/run/nightshift/egress.sock" },
  });
  const pairs = (flag: string) => args.flatMap((arg, i) => (arg === flag ? [args[i + 1]] : []));

  it("isolates everything, the network included, and drops all capabilities", () => {
    for (const flag of ["--unshare-all", "--die-with-parent", "--new-session"]) expect(args).toContain(flag);
    expect(args).not.toContain("--share-net");
    expect(args[args.indexOf("--cap-drop") + 1]).toBe("ALL");
    expect(args).not.toContain("--setenv");
  });

  it("binds tools read-only (once) and only the sandbox's paths read-write, after the /tmp tmpfs", () => {
    expect(pairs("--ro-bind")).toEqual(expect.arrayContaining(["/opt/node", "/tmp/tools"]));
    expect(pairs("--ro-bind")).not.toContain("/opt/node/lib");
    expect(pairs("--ro-bind")).not.toContain("/usr/lib/node_modules");
    expect(pairs("--bind")).toEqual(["/tmp/s/work", "/tmp/s/home"]);
    expect(args[args.indexOf("/tmp/s/work") + 1]).toBe("/nightshift/work");
    const tmpfs = args.indexOf("--tmpfs");
    expect(args[tmpfs + 1]).toBe("/tmp");
    expect(args.indexOf("/tmp/tools")).toBeGreaterThan(tmpfs);
    expect(args.indexOf("/tmp/s/work")).toBeGreaterThan(tmpfs);
  });

  it("shows a staged tool tree at its own path, and the sandbox uid's passwd over the system one", () => {
    const at = args.indexOf("/tmp/nightshift-tools-1777/ab12-cd34/tree");
    expect(args.slice(at - 1, at + 2)).toEqual([
      "--ro-bind",
      "/tmp/nightshift-tools-1777/ab12-cd34/tree",
      "/root/private/node_modules",
    ]);
    const passwd = args.indexOf("/tmp/nightshift-tools-1777/passwd-1777");
    expect(args[passwd + 1]).toBe("/etc/passwd");
    // After /etc is bound, or the system's passwd would cover it again.
    expect(passwd).toBeGreaterThan(args.lastIndexOf("/etc"));
  });

  it("binds the egress proxy socket read-only at its fixed path", () => {
    const at = args.indexOf("/tmp/s/egress.sock");
    expect(args.slice(at - 1, at + 2)).toEqual([
      "--ro-bind",
      "/tmp/s/egress.sock",
      "/run/nightshift/egress.sock",
    ]);
  });

  it("runs the command last, in the workdir", () => {
    expect(args.slice(-3)).toEqual(["--", "/opt/node/bin/node", "/opt/runtime.mjs"]);
    expect(pairs("--chdir")).toEqual(["/nightshift/work"]);
    expect(pairs("--info-fd")).toEqual(["3"]);
  });
});
