/**
 * Reading a Gemini `generateContent` / `streamGenerateContent` request (as Gemini CLI sends it)
 * into the scripted model's conversation. The model comes from the path; tool results
 * (`functionResponse`) answer calls by id when present, else by function name.
 */
import { z } from "zod";
import { type Conversation, contentText, type Part, schemaParameters } from "./conversation";

const GeminiPart = z.looseObject({
  text: z.string().optional(),
  functionCall: z
    .looseObject({ name: z.string(), args: z.unknown().optional(), id: z.string().optional() })
    .optional(),
  functionResponse: z
    .looseObject({ name: z.string(), response: z.unknown().optional(), id: z.string().optional() })
    .optional(),
});

export const GenerateContentRequest = z.looseObject({
  contents: z.array(z.looseObject({ role: z.string().optional(), parts: z.array(GeminiPart).default([]) })),
  systemInstruction: z.looseObject({ parts: z.array(GeminiPart).default([]) }).optional(),
  tools: z
    .array(
      z.looseObject({
        functionDeclarations: z
          .array(
            z.looseObject({
              name: z.string(),
              parameters: z.unknown().optional(),
              parametersJsonSchema: z.unknown().optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});
export type GenerateContentRequest = z.infer<typeof GenerateContentRequest>;

function partOf(part: z.infer<typeof GeminiPart>): Part | undefined {
  if (part.functionCall) {
    const { name, args, id } = part.functionCall;
    return { type: "tool_call", id: id ?? name, name, input: args ?? {} };
  }
  if (part.functionResponse) {
    const { name, response, id } = part.functionResponse;
    const output = (response as { output?: unknown; error?: unknown } | undefined) ?? {};
    const isError = output.error !== undefined;
    return {
      type: "tool_result",
      id: id ?? name,
      content: contentText(isError ? output.error : (output.output ?? response)),
      isError,
    };
  }
  if (part.text !== undefined) return { type: "text", text: part.text };
  return undefined;
}

export function geminiConversation(
  request: GenerateContentRequest,
  model: string,
  stream: boolean,
): Conversation {
  return {
    model,
    stream,
    streamUsage: true,
    system: (request.systemInstruction?.parts ?? []).map((p) => p.text ?? "").join("\n"),
    tools: (request.tools ?? []).flatMap((tool) =>
      (tool.functionDeclarations ?? []).map((f) => ({
        name: f.name,
        parameters: schemaParameters(f.parametersJsonSchema ?? f.parameters),
      })),
    ),
    turns: request.contents.map((content) => ({
      role: content.role === "model" ? "assistant" : "user",
      parts: content.parts.flatMap((p) => partOf(p) ?? []),
    })),
  };
}
