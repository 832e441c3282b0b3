/**
 * Autopilot: what the scripted model answers when no reply is queued and autopilot is on
 * (`make demo` / `make dev` without a model key). It drives a small, realistic, deterministic
 * turn from the conversation alone:
 *
 * 1. The newest user message is a prompt and the agent offers a file-writing tool (Claude Code's
 *    `Write`, OpenCode's and Pi's `write`, Gemini CLI's `write_file`) → a call of it creating the
 *    first file name mentioned in the prompt (e.g. "add docs/usage.md"), else `NIGHTSHIFT.md`, in
 *    the working directory the agent states. The content records the request, in the comment
 *    style of the file's extension. (The file is written whole: point the demo at scratch files.)
 *    Codex has no plain write tool: its `exec_command` gets a quoted-heredoc command instead;
 *    OpenCode on GPT models offers `apply_patch`, which gets an "Add File" patch.
 * 2. The newest user message carries the tool's result → a short text summary of what was
 *    written (or of the failure, when the result is an error).
 * 3. Anything else (no Write tool, no prompt) → a text reply saying what it saw.
 *
 * The same conversation always gets the same reply: no clock, no randomness.
 */
import { basename, extname, isAbsolute, join } from "node:path";
import {
  type Conversation,
  findToolCall,
  latestUserInput,
  type OfferedTool,
  statedWorkingDirectory,
} from "./conversation";
import type { Reply } from "./replies";

export interface AutopilotOptions {
  /** Pause between streamed text deltas (ms), so a demo visibly streams. */
  chunkDelayMs: number;
}

const DEFAULT_FILE = "NIGHTSHIFT.md";
const STREAM_CHUNKS = 8;
const FOOTER =
  "(This is the scripted model's autopilot; set the model API's key — ANTHROPIC_API_KEY, OPENAI_API_KEY or GEMINI_API_KEY — to use a real model.)";

const ABBREVIATIONS = new Set(["e.g", "i.e", "a.k.a", "n.b"]);

/** The first relative file path with an extension named in the prompt, e.g. "src/app.ts". */
export function fileNamedIn(prompt: string): string | undefined {
  const candidate =
    /(?:^|[\s`'"(])((?:[\w-][\w.-]*\/)*[\w-][\w.-]*\.[A-Za-z][A-Za-z0-9]{0,9})(?=$|[\s`'"),:;!?]|\.(?:\s|$))/;
  const match = candidate.exec(prompt);
  const path = match?.[1];
  if (!path || path.split("/").includes("..") || ABBREVIATIONS.has(path.toLowerCase())) return undefined;
  return path;
}

const LINE_COMMENT: Record<string, string> = {
  ".js": "//",
  ".mjs": "//",
  ".cjs": "//",
  ".ts": "//",
  ".tsx": "//",
  ".jsx": "//",
  ".go": "//",
  ".rs": "//",
  ".java": "//",
  ".kt": "//",
  ".swift": "//",
  ".c": "//",
  ".h": "//",
  ".cpp": "//",
  ".cs": "//",
  ".py": "#",
  ".rb": "#",
  ".sh": "#",
  ".yaml": "#",
  ".yml": "#",
  ".toml": "#",
};

/** File content recording the request, shaped for the file's type. */
export function contentFor(file: string, prompt: string): string {
  const ext = extname(file).toLowerCase();
  const oneLine = prompt.replace(/\s+/g, " ").trim();
  if (ext === ".md" || ext === ".markdown") {
    const title = basename(file, extname(file));
    return `# ${title}\n\nRequested change: ${oneLine}\n\n_Written by the Nightshift scripted model._\n`;
  }
  if (ext === ".json")
    return `${JSON.stringify({ request: oneLine, writtenBy: "nightshift-scripted-model" }, null, 2)}\n`;
  if (ext === ".html" || ext === ".xml")
    return `<!-- Requested change: ${oneLine.replaceAll("--", "- -")} -->\n`;
  if (ext === ".css") return `/* Requested change: ${oneLine.replaceAll("*/", "* /")} */\n`;
  const comment = LINE_COMMENT[ext];
  if (comment) return `${comment} Requested change: ${oneLine}\n`;
  return `Requested change: ${oneLine}\n`;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function summaryText(text: string, options: AutopilotOptions): Reply {
  return { kind: "text", text, chunks: STREAM_CHUNKS, chunkDelayMs: options.chunkDelayMs };
}

const WRITE_TOOLS = new Set(["Write", "write", "write_file"]);
/** Codex offers no plain write tool: its shell tool writes the file with a quoted heredoc. */
const SHELL_TOOL = { name: "exec_command", parameter: "cmd" } as const;
const HEREDOC_END = "NIGHTSHIFT_AUTOPILOT_EOF";

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** A shell command writing `content` to `path` verbatim (the quoted heredoc expands nothing). */
export function shellWriteCommand(path: string, content: string): string {
  const slash = path.lastIndexOf("/");
  const mkdir = slash > 0 ? `mkdir -p ${shellQuote(path.slice(0, slash))} && ` : "";
  const body = content.endsWith("\n") ? content : `${content}\n`;
  return `${mkdir}cat > ${shellQuote(path)} <<'${HEREDOC_END}'\n${body}${HEREDOC_END}`;
}

/** OpenCode offers GPT models `apply_patch` (a JSON `patchText`) instead of `write`. */
const PATCH_TOOL = { name: "apply_patch", parameter: "patchText" } as const;

/** A patch in the apply_patch format adding `path` with `content`. */
function addFilePatch(path: string, content: string): string {
  const lines = content.endsWith("\n") ? content.slice(0, -1).split("\n") : content.split("\n");
  return ["*** Begin Patch", `*** Add File: ${path}`, ...lines.map((l) => `+${l}`), "*** End Patch"].join(
    "\n",
  );
}

function patchedPath(input: unknown): string | undefined {
  const patch = (input as Record<string, unknown> | null)?.[PATCH_TOOL.parameter];
  return typeof patch === "string" ? /^\*\*\* Add File: (.+)$/m.exec(patch)?.[1] : undefined;
}

/** The path a command from shellWriteCommand wrote, if that is what `input` is. */
function shellWrittenPath(input: unknown): string | undefined {
  const cmd = (input as Record<string, unknown> | null)?.[SHELL_TOOL.parameter];
  if (typeof cmd !== "string" || !cmd.includes(`<<'${HEREDOC_END}'`)) return undefined;
  return /cat > '((?:[^']|'\\'')*)'/.exec(cmd)?.[1]?.replaceAll(`'\\''`, "'");
}
const PATH_PARAMETERS = ["file_path", "filePath", "path"];

/** The offered file-writing tool and the name of its path parameter (file_path when the schema is not given). */
function writeTool(tools: OfferedTool[]): { name: string; pathParameter: string } | undefined {
  const tool = tools.find((t) => WRITE_TOOLS.has(t.name));
  if (!tool) return undefined;
  return {
    name: tool.name,
    pathParameter: PATH_PARAMETERS.find((p) => tool.parameters.includes(p)) ?? "file_path",
  };
}

function writtenPath(input: unknown): string | undefined {
  if (!input || typeof input !== "object") return undefined;
  const record = input as Record<string, unknown>;
  const path = PATH_PARAMETERS.map((p) => record[p]).find((v) => typeof v === "string");
  return path as string | undefined;
}

export function autopilotReply(conversation: Conversation, options: AutopilotOptions): Reply {
  const latest = latestUserInput(conversation);
  const write = writeTool(conversation.tools);
  if (latest.kind === "tool_results") {
    const result = latest.results[0]!;
    const call = findToolCall(conversation, result.id);
    const name = call?.name ?? "tool";
    if (result.isError) {
      return summaryText(
        `The ${name} call failed: ${firstLine(result.content)}. I stopped so you can look.`,
        options,
      );
    }
    const path = call && WRITE_TOOLS.has(name) ? writtenPath(call.input) : undefined;
    if (call && path) {
      const content = (call.input as { content?: unknown }).content;
      const lines = typeof content === "string" ? content.split("\n").length - 1 : 0;
      return summaryText(`I wrote ${basename(path)} (${lines} lines) with your request. ${FOOTER}`, options);
    }
    const shellPath =
      call?.name === SHELL_TOOL.name
        ? shellWrittenPath(call.input)
        : call?.name === PATCH_TOOL.name
          ? patchedPath(call.input)
          : undefined;
    if (shellPath) return summaryText(`I wrote ${basename(shellPath)} with your request. ${FOOTER}`, options);
    return summaryText(`Done: ${firstLine(result.content)}`, options);
  }
  if (latest.kind === "prompt" && write) {
    const file = fileNamedIn(latest.text) ?? DEFAULT_FILE;
    const cwd = statedWorkingDirectory(conversation);
    const filePath = cwd && !isAbsolute(file) ? join(cwd, file) : file;
    return {
      kind: "tool",
      name: write.name,
      input: { [write.pathParameter]: filePath, content: contentFor(file, latest.text) },
      text: `I'll record this request in ${file}.`,
    };
  }
  const patch = conversation.tools.find(
    (t) => t.name === PATCH_TOOL.name && t.parameters.includes(PATCH_TOOL.parameter),
  );
  if (latest.kind === "prompt" && patch) {
    const file = fileNamedIn(latest.text) ?? DEFAULT_FILE;
    return {
      kind: "tool",
      name: PATCH_TOOL.name,
      input: { [PATCH_TOOL.parameter]: addFilePatch(file, contentFor(file, latest.text)) },
      text: `I'll record this request in ${file}.`,
    };
  }
  const shell = conversation.tools.find(
    (t) => t.name === SHELL_TOOL.name && t.parameters.includes(SHELL_TOOL.parameter),
  );
  if (latest.kind === "prompt" && shell) {
    const file = fileNamedIn(latest.text) ?? DEFAULT_FILE;
    const cwd = statedWorkingDirectory(conversation);
    const filePath = cwd && !isAbsolute(file) ? join(cwd, file) : file;
    return {
      kind: "tool",
      name: SHELL_TOOL.name,
      input: { [SHELL_TOOL.parameter]: shellWriteCommand(filePath, contentFor(file, latest.text)) },
      text: `I'll record this request in ${file}.`,
    };
  }
  if (latest.kind === "prompt") {
    return summaryText(
      `I read your request ("${firstLine(latest.text)}") but have no Write tool here. ${FOOTER}`,
      options,
    );
  }
  return summaryText("Done.", options);
}
