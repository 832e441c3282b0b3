/**
 * The parts of the control plane's OpenAPI 3.1 document this page shows, read with zod (the page
 * trusts no shape it did not check), and the one-line type labels of JSON Schemas.
 */
import { z } from "zod";

export type JsonSchema = { [key: string]: unknown };

const Schema = z.record(z.string(), z.unknown());
const Content = z.record(z.string(), z.object({ schema: Schema.optional() }).loose()).optional();

const Operation = z
  .object({
    operationId: z.string(),
    summary: z.string().default(""),
    description: z.string().optional(),
    tags: z.array(z.string()).default(["other"]),
    security: z.array(Schema).default([]),
    parameters: z
      .array(
        z
          .object({
            name: z.string(),
            in: z.string(),
            required: z.boolean().default(false),
            schema: Schema.default({}),
            description: z.string().optional(),
          })
          .loose(),
      )
      .default([]),
    requestBody: z
      .object({ required: z.boolean().default(false), content: Content })
      .loose()
      .optional(),
    responses: z.record(
      z.string(),
      z.object({ description: z.string().default(""), content: Content }).loose(),
    ),
  })
  .loose();
export type Operation = z.infer<typeof Operation>;

export const OpenApiDocument = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string(), description: z.string().default("") }).loose(),
    paths: z.record(z.string(), z.record(z.string(), Operation)),
    components: z
      .object({ schemas: z.record(z.string(), Schema).default({}) })
      .loose()
      .default({ schemas: {} }),
  })
  .loose();
export type OpenApiDocument = z.infer<typeof OpenApiDocument>;

export interface Endpoint {
  method: string;
  path: string;
  operation: Operation;
}

const METHOD_ORDER = ["get", "post", "put", "patch", "delete"];

/** Operations grouped by their first tag, tags and paths in a stable, readable order. */
export function endpointsByTag(doc: OpenApiDocument, filter = ""): [string, Endpoint[]][] {
  const needle = filter.trim().toLowerCase();
  const groups = new Map<string, Endpoint[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const text = `${method} ${path} ${operation.summary}`.toLowerCase();
      if (needle && !text.includes(needle)) continue;
      const tag = operation.tags[0] ?? "other";
      const list = groups.get(tag) ?? [];
      list.push({ method, path, operation });
      groups.set(tag, list);
    }
  }
  for (const list of groups.values()) {
    list.sort((a, b) =>
      a.path === b.path
        ? METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method)
        : a.path.localeCompare(b.path),
    );
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function asSchema(value: unknown): JsonSchema | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonSchema) : null;
}

/** A schema's type in a few words: `string (uuid)`, `array of object`, `"a" | "b"`, `ErrorBody`. */
export function typeLabel(schema: JsonSchema): string {
  if (typeof schema.$ref === "string") return schema.$ref.split("/").pop() ?? schema.$ref;
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const variants = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(variants)) {
    return variants
      .map((v) => asSchema(v))
      .filter((v): v is JsonSchema => v !== null)
      .map(typeLabel)
      .join(" | ");
  }
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
  if (type === "array") {
    const items = asSchema(schema.items);
    return `array of ${items ? typeLabel(items) : "anything"}`;
  }
  if (typeof type === "string")
    return typeof schema.format === "string" ? `${type} (${schema.format})` : type;
  return "any";
}

/** The properties worth listing under a schema: an object's own, or its array items' or variants'. */
export function childProperties(
  schema: JsonSchema,
): { properties: Record<string, JsonSchema>; required: string[] } | null {
  const props = asSchema(schema.properties);
  if (props) {
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    return { properties: props as Record<string, JsonSchema>, required };
  }
  const items = asSchema(schema.items);
  if (items) return childProperties(items);
  return null;
}
