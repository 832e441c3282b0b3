/** Reads and validates mutations.json, so a typo in the list fails loudly instead of testing nothing. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// zod is the project's validator; the root has no copy of its own, so borrow the control plane's.
const require = createRequire(
  join(import.meta.dirname, "..", "..", "packages", "control-plane", "package.json"),
);
const { z } = require("zod");

const Mutation = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, "lowercase words joined by '-' or '.'"),
  /** Path inside packages/control-plane. */
  file: z
    .string()
    .regex(/^src\/.+\.ts$/, "a source file under src/")
    .refine((f) => !f.includes(".."), "must not contain '..'"),
  original: z.string().min(1),
  replacement: z.string(),
  /** The defect this stands for, in words: what a user would suffer if it shipped. */
  why: z.string().min(10),
  tests: z.array(z.string().regex(/^(src|test)\/.+\.test\.ts$/, "a vitest file under src/ or test/")).min(1),
});

const MutationList = z
  .array(Mutation)
  .min(1)
  .superRefine((list, ctx) => {
    const seen = new Set();
    for (const [i, m] of list.entries()) {
      if (seen.has(m.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate id ${m.id}` });
      seen.add(m.id);
      if (m.original === m.replacement)
        ctx.addIssue({ code: "custom", path: [i, "replacement"], message: "replacement equals original" });
    }
  });

export function loadMutations(path) {
  let raw;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path} is not readable JSON: ${error.message}`);
  }
  const parsed = MutationList.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  at ${i.path.join(".")}: ${i.message}`);
    throw new Error(`${path} is not a valid mutation list:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
