/**
 * The system-file overrides in a sandbox's bwrap arguments: bound read-only (never writable, never
 * a bare path bwrap would read as a command), and nothing at all when a profile has none.
 */
import { describe, expect, it } from "vitest";
import { bubblewrapArgs } from "../src/sandbox/bubblewrap";

const base = { readOnly: [], readWrite: [], chdir: "/w", command: ["/bin/true"] };

describe("bubblewrap system overrides", () => {
  it("binds each override read-only, flag, source and destination together", () => {
    const args = bubblewrapArgs({
      ...base,
      systemOverrides: [
        { source: "/tmp/tools/passwd-1777", dest: "/etc/passwd" },
        { source: "/tmp/tools/group-1777", dest: "/etc/group" },
      ],
    });
    for (const [source, dest] of [
      ["/tmp/tools/passwd-1777", "/etc/passwd"],
      ["/tmp/tools/group-1777", "/etc/group"],
    ]) {
      const at = args.indexOf(source as string);
      expect(args.slice(at - 1, at + 2)).toEqual(["--ro-bind", source, dest]);
    }
  });

  it("adds no bind between the system directories and /proc when a profile has no overrides", () => {
    const args = bubblewrapArgs(base);
    expect(args.every((arg) => typeof arg === "string" && arg.length > 0)).toBe(true);
    const beforeProc = args.slice(0, args.indexOf("--proc"));
    const lastSystem = beforeProc.lastIndexOf("--ro-bind-try");
    const afterSystem = beforeProc.slice(lastSystem + 3);
    // Only the credential masks (/dev/null over shadow files that exist) may follow the system binds.
    for (let i = 0; i < afterSystem.length; i += 3) {
      expect(afterSystem.slice(i, i + 2)).toEqual(["--ro-bind", "/dev/null"]);
      expect(afterSystem[i + 2]).toMatch(/^\/etc\/(shadow|gshadow|sudoers)$/);
    }
  });
});
