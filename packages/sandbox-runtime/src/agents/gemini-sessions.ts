/**
 * Where Gemini CLI keeps its sessions: ~/.gemini/tmp/<project>/chats/session-<time>-<first 8 of
 * the id>.jsonl, whose first line names the whole session id. The <project> slug is found again
 * through tmp/<project>/.project_root (it holds the cwd), so restoring tmp/ into a fresh HOME
 * under the same cwd resumes (projects.json is only a cache of that).
 */
import { closeSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import type { AgentConversationFiles } from "./adapter";
import { geminiDir } from "./gemini-settings";

const CHAT_FILE = /(^|\/)chats\/session-[^/]+\.jsonl$/;

function chatFileSuffix(sessionId: string): string {
  return `-${sessionId.slice(0, 8)}.jsonl`;
}

export function geminiConversationFiles(home: string): AgentConversationFiles {
  return {
    directory: join(geminiDir(home), "tmp"),
    holdsSession: (files, sessionId) =>
      files.some((file) => CHAT_FILE.test(file) && file.endsWith(chatFileSuffix(sessionId))),
  };
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Whether a chat file is session `sessionId` (its header line names it) and holds a model answer,
 * read in chunks until both are known.
 */
function holdsAnswerOf(path: string, sessionId: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let text = "";
    let offset = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK_BYTES, offset);
      if (read === 0) return false;
      // Keep a tail so a marker split across two chunks is still seen.
      text = text.slice(-64) + buffer.subarray(0, read).toString("utf8");
      if (offset === 0 && !text.split("\n", 1)[0]!.includes(`"sessionId":"${sessionId}"`)) return false;
      if (text.includes('"type":"gemini"')) return true;
      offset += read;
    }
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether the CLI saved session `sessionId` under `home` with something to resume: a session whose
 * first turn failed before any model answer is not resumable (`--resume` finds "no previous
 * sessions"), and its id cannot be started again either ("already exists").
 */
export function hasSavedSession(home: string, sessionId: string): boolean {
  const tmp = geminiConversationFiles(home).directory;
  let projects: string[];
  try {
    projects = readdirSync(tmp);
  } catch {
    return false;
  }
  for (const project of projects) {
    let chats: string[];
    try {
      chats = readdirSync(join(tmp, project, "chats"));
    } catch {
      continue;
    }
    const named = chats.filter(
      (file) => file.startsWith("session-") && file.endsWith(chatFileSuffix(sessionId)),
    );
    if (named.some((file) => holdsAnswerOf(join(tmp, project, "chats", file), sessionId))) return true;
  }
  return false;
}
