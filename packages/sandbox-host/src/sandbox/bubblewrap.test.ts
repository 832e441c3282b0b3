import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  bubblewrapArgs,
  dropPrivilegesPrefix,
  findExecutable,
  ISOLATION_FLAGS,
  selfTestBubblewrap,
  toolDirectories,
} from "./bubblewrap";

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

describe("bubblewrap profile details", () => {
  const minimal = bubblewrapArgs({ readOnly: [], readWrite: [], chdir: "/w", command: ["/bin/true"] });

  it("shows the system directories read-only (where they exist), with fresh /proc, /dev and /tmp", () => {
    const tries = minimal.flatMap((arg, i) => (arg === "--ro-bind-try" ? [minimal.slice(i + 1, i + 3)] : []));
    expect(tries).toEqual(
      ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"].map((dir) => [dir, dir]),
    );
    const at = minimal.indexOf("--proc");
    expect(minimal.slice(at, at + 6)).toEqual(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
    expect(minimal.slice(0, ISOLATION_FLAGS.length)).toEqual([...ISOLATION_FLAGS]);
    expect(minimal).not.toContain("--info-fd");
    expect(minimal.slice(-4)).toEqual(["--chdir", "/w", "--", "/bin/true"]);
  });

  it("hides the password hashes and sudoers behind an empty file", () => {
    for (const file of ["/etc/shadow", "/etc/gshadow", "/etc/sudoers"]) {
      const at = minimal.indexOf(file);
      if (!existsSync(file)) {
        expect(at, file).toBe(-1);
        continue;
      }
      expect(minimal.slice(at - 2, at + 1), file).toEqual(["--ro-bind", "/dev/null", file]);
    }
    expect(existsSync("/etc/shadow")).toBe(true);
  });

  it("binds a tool tree once per destination, and only a real subdirectory counts as covered", () => {
    const args = bubblewrapArgs({
      readOnly: [
        { source: "/opt/node", dest: "/opt/node" },
        { source: "/opt/other-node", dest: "/opt/node" },
        { source: "/opt/nodejs", dest: "/opt/nodejs" },
        { source: "/usr/local/lib/x", dest: "/usr/local/lib/x" },
        { source: "/usr", dest: "/usr" },
        { source: "/etcetera", dest: "/etcetera" },
      ],
      readWrite: [],
      chdir: "/w",
      command: ["/bin/true"],
    });
    const after = args.slice(args.indexOf("/tmp") + 1);
    const roBinds = after.flatMap((arg, i) => (arg === "--ro-bind" ? [after.slice(i + 1, i + 3)] : []));
    expect(roBinds).toEqual([
      ["/opt/node", "/opt/node"],
      ["/opt/nodejs", "/opt/nodejs"],
      ["/usr", "/usr"],
      ["/etcetera", "/etcetera"],
    ]);
  });
});

describe("finding and checking bubblewrap", () => {
  const scratch = mkdtempSync(join(tmpdir(), "ns-bwrap-test-"));
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("finds an executable on the given PATH, skipping empty entries, or says it is not there", () => {
    const bin = join(scratch, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "tool"), "");
    expect(findExecutable("tool", `::/nonexistent:${bin}`)).toBe(join(bin, "tool"));
    expect(findExecutable("tool", "/nonexistent")).toBeNull();
    expect(findExecutable("tool", "")).toBeNull();
    expect(findExecutable("tool", undefined)).toBeNull();
  });

  it("drops to the sandbox uid and its gid, with no groups and no new privileges", () => {
    expect(dropPrivilegesPrefix(1777)).toEqual([
      findExecutable("setpriv") ?? "setpriv",
      "--reuid=1777",
      "--regid=1777",
      "--clear-groups",
      "--no-new-privs",
    ]);
  });

  it("passes its self-test with the real bwrap, also as an unprivileged uid", async () => {
    expect(await selfTestBubblewrap()).toEqual({ ok: true, bwrap: findExecutable("bwrap") });
    expect(await selfTestBubblewrap(65534)).toMatchObject({ ok: true });
  }, 30_000);

  it("reports a missing bwrap, and a failing one with its exit code and words", async () => {
    const fake = join(scratch, "fake-bin");
    mkdirSync(fake);
    vi.stubEnv("PATH", fake);
    expect(await selfTestBubblewrap()).toEqual({
      ok: false,
      reason: "bwrap is not installed (apt-get install bubblewrap)",
    });
    writeFileSync(join(fake, "bwrap"), "#!/bin/sh\necho '  no user namespaces here  ' >&2\nexit 3\n");
    chmodSync(join(fake, "bwrap"), 0o755);
    vi.stubEnv("PATH", `${fake}:/usr/bin:/bin`);
    expect(await selfTestBubblewrap()).toEqual({
      ok: false,
      reason: "bwrap self-test failed (exit 3): no user namespaces here",
    });
    vi.unstubAllEnvs();
  }, 30_000);

  it("names Node's install, the runtime's package and the workspace node_modules as tool directories", () => {
    const root = join(scratch, "tools");
    mkdirSync(join(root, "node", "bin"), { recursive: true });
    writeFileSync(join(root, "node", "bin", "node"), "");
    symlinkSync(join(root, "node", "bin", "node"), join(root, "node-link"));
    mkdirSync(join(root, "ws", "node_modules", ".pnpm"), { recursive: true });
    mkdirSync(join(root, "ws", "packages", "runtime", "dist"), { recursive: true });
    writeFileSync(join(root, "ws", "packages", "runtime", "package.json"), "{}");
    writeFileSync(join(root, "ws", "packages", "runtime", "dist", "runtime.mjs"), "");
    expect(
      toolDirectories(
        join(root, "node-link"),
        join(root, "ws", "packages", "runtime", "dist", "runtime.mjs"),
      ),
    ).toEqual([
      join(root, "node"),
      join(root, "ws", "packages", "runtime"),
      join(root, "ws", "node_modules"),
    ]);
    // A bundle outside any package: just its directory, and no node_modules to add.
    mkdirSync(join(root, "loose"));
    writeFileSync(join(root, "loose", "runtime.mjs"), "");
    expect(toolDirectories(join(root, "node", "bin", "node"), join(root, "loose", "runtime.mjs"))).toEqual([
      join(root, "node"),
      join(root, "loose"),
    ]);
  });
});
