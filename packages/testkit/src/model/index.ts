/** Public face of the scripted model server (a double of the Anthropic, OpenAI and Gemini model APIs). */
export { contentFor, fileNamedIn } from "./autopilot";
export {
  type ErrorReply,
  parseReply,
  type Reply,
  type ReplyInput,
  type TextReply,
  type ToolReply,
} from "./replies";
export {
  type RecordedRequest,
  type ScriptedModel,
  ScriptedModelOptions,
  startScriptedModel,
} from "./scripted-model";
export { WIRE_FORMATS, type WireFormat } from "./wire-formats";
