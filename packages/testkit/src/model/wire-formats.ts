/**
 * The model APIs the scripted model speaks, one entry each: which requests belong to it, how its
 * body becomes a conversation, and how a planned answer and an error are written back. The
 * server (scripted-model.ts) is the same for all of them.
 *
 * | format            | request                                                     | used by            |
 * | anthropic         | POST /v1/messages                                           | Claude Code, Pi    |
 * | openai-chat       | POST /v1/chat/completions                                   | OpenCode, Pi, Goose|
 * | openai-responses  | POST /v1/responses                                          | Codex              |
 * | gemini            | POST /v1beta/models/<model>:(stream)GenerateContent         | Gemini CLI         |
 */
import type { z } from "zod";
import { anthropicErrorBody, messageBody, streamFrames } from "./anthropic-encoder";
import { anthropicConversation, MessagesRequest } from "./anthropic-request";
import type { Conversation } from "./conversation";
import { geminiBody, geminiErrorBody, geminiStreamFrames } from "./gemini-encoder";
import { GenerateContentRequest, geminiConversation } from "./gemini-request";
import { chatBody, chatStreamFrames, openAiErrorBody } from "./openai-chat-encoder";
import { ChatCompletionsRequest, chatConversation } from "./openai-chat-request";
import { responsesBody, responsesStreamFrames } from "./openai-responses-encoder";
import { ResponsesRequest, responsesConversation } from "./openai-responses-request";
import type { PlannedMessage, SseFrame } from "./planned-message";

/** What the path says about the request (Gemini puts the model and streaming there). */
export interface WireRoute {
  model?: string;
  stream?: boolean;
}

export interface WireFormat {
  name: "anthropic" | "openai-chat" | "openai-responses" | "gemini";
  /** Prefix of the ids of messages in this format. */
  messageIdPrefix: string;
  match(method: string, pathname: string): WireRoute | undefined;
  /** Throws InvalidModelRequest naming the bad field. */
  conversation(body: unknown, route: WireRoute): Conversation;
  streamFrames(message: PlannedMessage, conversation: Conversation): SseFrame[];
  body(message: PlannedMessage, conversation: Conversation): Record<string, unknown>;
  errorBody(
    status: number,
    type: string | undefined,
    message: string,
    requestId: string,
  ): Record<string, unknown>;
}

export class InvalidModelRequest extends Error {}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidModelRequest(`${issue?.path.join(".") || "body"}: ${issue?.message}`);
}

const post = (path: string) => (method: string, pathname: string) =>
  method === "POST" && pathname === path ? {} : undefined;

export const anthropicWire: WireFormat = {
  name: "anthropic",
  messageIdPrefix: "msg",
  match: post("/v1/messages"),
  conversation: (body) => anthropicConversation(parseWith(MessagesRequest, body)),
  streamFrames: (message) => streamFrames(message),
  body: messageBody,
  errorBody: anthropicErrorBody,
};

const freeformTools = (conversation: Conversation) =>
  new Set(conversation.tools.filter((t) => t.freeform).map((t) => t.name));

const GEMINI_PATH = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(streamGenerateContent|generateContent)$/;

export const WIRE_FORMATS: readonly WireFormat[] = [
  anthropicWire,
  {
    name: "openai-chat",
    messageIdPrefix: "chatcmpl",
    match: post("/v1/chat/completions"),
    conversation: (body) => chatConversation(parseWith(ChatCompletionsRequest, body)),
    streamFrames: (message, conversation) => chatStreamFrames(message, conversation.streamUsage),
    body: chatBody,
    errorBody: (status, type, message) => openAiErrorBody(status, type, message),
  },
  {
    name: "openai-responses",
    messageIdPrefix: "resp",
    match: post("/v1/responses"),
    conversation: (body) => responsesConversation(parseWith(ResponsesRequest, body)),
    streamFrames: (message, conversation) => responsesStreamFrames(message, freeformTools(conversation)),
    body: (message, conversation) => responsesBody(message, freeformTools(conversation)),
    errorBody: (status, type, message) => openAiErrorBody(status, type, message),
  },
  {
    name: "gemini",
    messageIdPrefix: "gen",
    match: (method, pathname) => {
      const found = method === "POST" ? GEMINI_PATH.exec(pathname) : null;
      if (!found) return undefined;
      return { model: decodeURIComponent(found[1]!), stream: found[2] === "streamGenerateContent" };
    },
    conversation: (body, route) =>
      geminiConversation(
        parseWith(GenerateContentRequest, body),
        route.model ?? "gemini",
        route.stream === true,
      ),
    streamFrames: (message) => geminiStreamFrames(message),
    body: geminiBody,
    errorBody: (status, type, message) => geminiErrorBody(status, type, message),
  },
];

/** The format a request speaks, by method and path. */
export function wireFor(
  method: string,
  pathname: string,
): { wire: WireFormat; route: WireRoute } | undefined {
  for (const wire of WIRE_FORMATS) {
    const route = wire.match(method, pathname);
    if (route) return { wire, route };
  }
  return undefined;
}
