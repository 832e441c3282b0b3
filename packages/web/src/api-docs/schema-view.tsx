/** A JSON Schema as a nested list of fields: name, whether it is required, its type, what it means. */
import { childProperties, type JsonSchema, typeLabel } from "./openapi-model";

/** Deep enough for every schema the API has; guards against a cyclic or absurd document. */
const MAX_DEPTH = 6;

export function SchemaView({ schema, depth = 0 }: { schema: JsonSchema; depth?: number }) {
  const children = depth < MAX_DEPTH ? childProperties(schema) : null;
  if (!children) return <code className="small">{typeLabel(schema)}</code>;
  return (
    <ul className="schema-fields">
      {Object.entries(children.properties).map(([name, child]) => {
        const nested = depth + 1 < MAX_DEPTH ? childProperties(child) : null;
        return (
          <li key={name}>
            <code>{name}</code>
            {children.required.includes(name) ? null : <span className="muted small"> optional</span>}{" "}
            <span className="muted small">{typeLabel(child)}</span>
            {typeof child.description === "string" ? (
              <span className="small"> — {child.description}</span>
            ) : null}
            {nested ? <SchemaView schema={child} depth={depth + 1} /> : null}
          </li>
        );
      })}
    </ul>
  );
}
