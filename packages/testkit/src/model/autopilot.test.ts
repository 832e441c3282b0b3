import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { anthropicConversation, MessagesRequest } from "./anthropic-request";
import { autopilotReply, contentFor, fileNamedIn, shellWriteCommand } from "./autopilot";
import { GenerateContentRequest, geminiConversation } from "./gemini-request";
import { ResponsesRequest, responsesConversation } from "./openai-responses-request";

const options = { chunkDelayMs: 0 };
const tools = [{ name: "Bash" }, { name: "Write" }];
const reminder = "<system-reminder>\n - Primary working directory: /repo/work\n</system-reminder>";

function request(messages: unknown[], withTools: unknown[] = tools) {
  return anthropicConversation(
    MessagesRequest.parse({ model: "claude-sonnet-4-5", messages, tools: withTools }),
  );
}

describe("fileNamedIn", () => {
  it.each([
    ["Please add docs/usage.md explaining the CLI", "docs/usage.md"],
    ["fix the typo in `src/app.ts`.", "src/app.ts"],
    ["update README.md, then stop", "README.md"],
    ["make it faster, e.g. by caching", undefined],
    ["bump to version 1.2.3", undefined],
    ["edit ../secret.txt", undefined],
  ])("%s → %s", (prompt, expected) => {
    expect(fileNamedIn(prompt)).toBe(expected);
  });
});

describe("contentFor", () => {
  it("writes markdown with a title and the request", () => {
    expect(contentFor("docs/usage.md", "add   usage\ndocs")).toBe(
      "# usage\n\nRequested change: add usage docs\n\n_Written by the Nightshift scripted model._\n",
    );
  });
  it("uses the comment style of code files", () => {
    expect(contentFor("a.py", "x")).toBe("# Requested change: x\n");
    expect(contentFor("a.ts", "x")).toBe("// Requested change: x\n");
    expect(JSON.parse(contentFor("a.json", "x"))).toMatchObject({ request: "x" });
  });
});

describe("autopilotReply", () => {
  it("answers a prompt with a Write call in the stated working directory", () => {
    const reply = autopilotReply(
      request([
        {
          role: "user",
          content: [
            { type: "text", text: reminder },
            { type: "text", text: "add notes.txt" },
          ],
        },
      ]),
      options,
    );
    expect(reply).toMatchObject({
      kind: "tool",
      name: "Write",
      input: { file_path: "/repo/work/notes.txt" },
    });
  });

  it("reads past the system messages newer Claude Code models put in the conversation", () => {
    const reply = autopilotReply(
      request([
        { role: "user", content: [{ type: "text", text: "add notes.txt" }] },
        { role: "system", content: [{ type: "text", text: reminder }] },
      ]),
      options,
    );
    expect(reply).toMatchObject({
      kind: "tool",
      name: "Write",
      input: { file_path: "/repo/work/notes.txt" },
    });
  });

  it("uses the path parameter the offered write tool declares (OpenCode's write takes filePath)", () => {
    const reply = autopilotReply(
      request(
        [{ role: "user", content: "add notes.txt" }],
        [{ name: "write", input_schema: { type: "object", properties: { filePath: {}, content: {} } } }],
      ),
      options,
    );
    expect(reply).toMatchObject({ kind: "tool", name: "write", input: { filePath: "notes.txt" } });
  });

  it("reads Gemini CLI's prompt past its <session_context> part (which lists the repository's files)", () => {
    const sessionContext =
      "<session_context>\nThis is the Gemini CLI.\n- **Workspace Directories:**\n  - /repo/work\n/repo/work/\n├───README.md\n</session_context>";
    const conversation = geminiConversation(
      GenerateContentRequest.parse({
        contents: [{ role: "user", parts: [{ text: sessionContext }, { text: "Please add docs/usage.md" }] }],
        tools: [
          {
            functionDeclarations: [
              { name: "write_file", parameters: { properties: { file_path: {}, content: {} } } },
            ],
          },
        ],
      }),
      "gemini-2.5-flash",
      true,
    );
    const reply = autopilotReply(conversation, options);
    expect(reply).toMatchObject({ kind: "tool", name: "write_file", input: { file_path: "docs/usage.md" } });
    const content = reply.kind === "tool" ? String(reply.input.content) : "";
    expect(content).toContain("Requested change: Please add docs/usage.md");
    expect(content).not.toContain("session_context");
  });

  it("falls back to NIGHTSHIFT.md when no file is named", () => {
    const reply = autopilotReply(request([{ role: "user", content: "make it better" }]), options);
    expect(reply).toMatchObject({ kind: "tool", input: { file_path: "NIGHTSHIFT.md" } });
  });

  it("summarizes the Write once its result comes back", () => {
    const reply = autopilotReply(
      request([
        { role: "user", content: "add notes.txt" },
        {
          role: "assistant",
          content: [
            {
              type: "tool_use",
              id: "t1",
              name: "Write",
              input: { file_path: "/w/notes.txt", content: "a\nb\n" },
            },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "File created" }] },
      ]),
      options,
    );
    expect(reply.kind).toBe("text");
    expect(reply.kind === "text" && reply.text).toContain("I wrote notes.txt (2 lines)");
  });

  it("reports a failed tool call", () => {
    const reply = autopilotReply(
      request([
        { role: "user", content: "x" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Write", input: {} }] },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "t1", content: "denied", is_error: true }],
        },
      ]),
      options,
    );
    expect(reply.kind === "text" && reply.text).toContain("The Write call failed: denied");
  });

  it("answers with text when the agent offers no Write tool, and is deterministic", () => {
    const req = request([{ role: "user", content: "add notes.txt" }], [{ name: "Bash" }]);
    const first = autopilotReply(req, options);
    expect(first.kind).toBe("text");
    expect(autopilotReply(req, options)).toEqual(first);
  });
});

describe("autopilot with Codex's shell tool (no plain write tool)", () => {
  const codexTools = [
    { type: "function", name: "exec_command", parameters: { type: "object", properties: { cmd: {} } } },
    { type: "custom", name: "apply_patch" },
  ];
  const environment = "<environment_context>\n  <cwd>/repo/work</cwd>\n</environment_context>";

  function codexRequest(input: unknown[]) {
    return responsesConversation(ResponsesRequest.parse({ model: "gpt-5.5", input, tools: codexTools }));
  }

  it("writes the named file through exec_command, and the command writes it verbatim", () => {
    const prompt = "Add notes/release.md with `quotes`; it's $HOME, left alone";
    const reply = autopilotReply(
      codexRequest([
        { type: "message", role: "user", content: [{ type: "input_text", text: environment }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: prompt }] },
      ]),
      options,
    );
    expect(reply).toMatchObject({ kind: "tool", name: "exec_command" });
    const cmd = reply.kind === "tool" ? String(reply.input.cmd) : "";
    expect(cmd).toContain("cat > '/repo/work/notes/release.md' <<");
    const dir = mkdtempSync(join(tmpdir(), "autopilot-shell-"));
    try {
      const local = shellWriteCommand(join(dir, "notes/it's.md"), contentFor("notes/it's.md", prompt));
      execFileSync("bash", ["-c", local]);
      expect(readFileSync(join(dir, "notes/it's.md"), "utf8")).toBe(contentFor("notes/it's.md", prompt));
      // The file says what was asked, not Codex's <environment_context> message before it.
      expect(cmd).toContain(`Requested change: ${prompt}`);
      expect(cmd).not.toContain("environment_context");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("summarizes the write once the command's output comes back", () => {
    const cmd = shellWriteCommand("/repo/work/CHANGELOG.md", "# CHANGELOG\n");
    const reply = autopilotReply(
      codexRequest([
        { type: "message", role: "user", content: [{ type: "input_text", text: "Add CHANGELOG.md" }] },
        { type: "function_call", call_id: "c1", name: "exec_command", arguments: JSON.stringify({ cmd }) },
        { type: "function_call_output", call_id: "c1", output: "Process exited with code 0\nOutput:\n" },
      ]),
      options,
    );
    expect(reply.kind === "text" && reply.text).toContain("I wrote CHANGELOG.md");
  });
});

describe("autopilot with OpenCode's apply_patch (GPT models get it instead of write)", () => {
  it("adds the named file with an apply_patch call, then sums it up", () => {
    const tools = [{ name: "apply_patch", input_schema: { type: "object", properties: { patchText: {} } } }];
    const first = autopilotReply(
      request([{ role: "user", content: "Add notes/plan.md please" }], tools),
      options,
    );
    expect(first).toMatchObject({ kind: "tool", name: "apply_patch" });
    const patch = first.kind === "tool" ? String(first.input.patchText) : "";
    expect(patch.split("\n").slice(0, 3)).toEqual([
      "*** Begin Patch",
      "*** Add File: notes/plan.md",
      "+# plan",
    ]);
    expect(patch.endsWith("\n*** End Patch")).toBe(true);
    const second = autopilotReply(
      request(
        [
          { role: "user", content: "Add notes/plan.md please" },
          {
            role: "assistant",
            content: [{ type: "tool_use", id: "p1", name: "apply_patch", input: { patchText: patch } }],
          },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "p1", content: "Success." }] },
        ],
        tools,
      ),
      options,
    );
    expect(second.kind === "text" && second.text).toContain("I wrote plan.md");
  });
});
