/**
 * Where a review comment sits in a pull request's diff, worked out from the bare repository the
 * way GitHub shows it: the `diff_hunk` runs from the hunk header down to the commented line (the
 * first added line of the file's first hunk), and `line` is that line's number in the new file.
 * A file the pull request does not change gets a one-line hunk on its first line, so tests can
 * comment anywhere without first writing a matching diff.
 */
import { git, readFileAt } from "./bare-repos";

export interface ReviewAnchor {
  path: string;
  diffHunk: string;
  line: number;
  commitId: string;
}

async function diffText(gitDir: string, base: string, head: string, path?: string): Promise<string> {
  try {
    return await git(
      [
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--unified=3",
        `refs/heads/${base}...refs/heads/${head}`,
        "--",
        ...(path ? [path] : []),
      ],
      gitDir,
    );
  } catch {
    return "";
  }
}

/** The first file section of a unified diff: its new path and its hunks' lines. */
function firstFile(diff: string): { path: string; lines: string[] } | null {
  const lines = diff.split("\n");
  const plus = lines.findIndex((l) => l.startsWith("+++ "));
  if (plus < 0) return null;
  const target = lines[plus]?.slice(4) ?? "";
  const path = target.startsWith("b/") ? target.slice(2) : target;
  const rest = lines.slice(plus + 1);
  const end = rest.findIndex((l) => l.startsWith("diff --git "));
  return { path, lines: end < 0 ? rest : rest.slice(0, end) };
}

function anchorInHunk(lines: string[]): { diffHunk: string; line: number } | null {
  const start = lines.findIndex((l) => l.startsWith("@@"));
  const header = lines[start];
  const newStart = header ? /\+(\d+)/.exec(header)?.[1] : undefined;
  if (start < 0 || !header || newStart === undefined) return null;
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith("@@") || l === "") break;
    body.push(l);
  }
  const added = body.findIndex((l) => l.startsWith("+"));
  const upto = added >= 0 ? added : body.length - 1;
  if (upto < 0) return null;
  const kept = body.slice(0, upto + 1);
  const newSideBefore = kept.slice(0, -1).filter((l) => !l.startsWith("-")).length;
  return { diffHunk: [header, ...kept].join("\n"), line: Number(newStart) + newSideBefore };
}

export async function reviewAnchor(
  gitDir: string,
  pull: { base: string; head: string },
  headSha: string,
  path?: string,
): Promise<ReviewAnchor> {
  const file = firstFile(await diffText(gitDir, pull.base, pull.head, path));
  const hunk = file ? anchorInHunk(file.lines) : null;
  if (file && hunk) return { path: file.path, ...hunk, commitId: headSha };
  const fallbackPath = path ?? "README.md";
  const firstLine = (await readFileAt(gitDir, pull.head, fallbackPath))?.split("\n")[0] ?? "";
  return { path: fallbackPath, diffHunk: `@@ -1 +1 @@\n ${firstLine}`, line: 1, commitId: headSha };
}
