/**
 * /api-docs: the control plane's OpenAPI 3.1 document (GET /api/v1/openapi.json), rendered here
 * from the JSON: operations by tag, each with its parameters, body and responses. No viewer
 * bundle and no CDN: the dashboard runs where there may be no internet.
 */
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { apiRequest } from "../api/http-client";
import { ErrorState, Loading } from "../ui/states";
import { type Endpoint, endpointsByTag, OpenApiDocument } from "./openapi-model";
import { SchemaView } from "./schema-view";

const OPENAPI_PATH = "/api/v1/openapi.json";

/** Descriptions mark code with backticks (CommonMark's inline code): shown as code, nothing else parsed. */
function Prose({ text }: { text: string }) {
  return (
    <>
      {text.split("`").map((part, i) =>
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string, in order
        i % 2 === 1 ? <code key={i}>{part}</code> : <span key={i}>{part}</span>,
      )}
    </>
  );
}

function EndpointView({ endpoint }: { endpoint: Endpoint }) {
  const { method, path, operation } = endpoint;
  const body = operation.requestBody?.content?.["application/json"]?.schema;
  return (
    <details className="endpoint" id={operation.operationId}>
      <summary>
        <span className={`method method-${method}`}>{method.toUpperCase()}</span> <code>{path}</code>{" "}
        <span className="endpoint-summary">{operation.summary}</span>
        {operation.security.length === 0 ? <span className="muted small"> · public</span> : null}
      </summary>
      {operation.description ? (
        <p>
          <Prose text={operation.description} />
        </p>
      ) : null}
      {operation.parameters.length > 0 ? (
        <>
          <h4>Parameters</h4>
          <ul className="schema-fields">
            {operation.parameters.map((p) => (
              <li key={`${p.in}:${p.name}`}>
                <code>{p.name}</code> <span className="muted small">in {p.in}</span>
                {p.required ? null : <span className="muted small"> optional</span>}{" "}
                <SchemaView schema={p.schema} />
                {p.description ? <span className="small"> — {p.description}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {body ? (
        <>
          <h4>Request body{operation.requestBody?.required ? "" : " (optional)"}</h4>
          <SchemaView schema={body} />
        </>
      ) : null}
      <h4>Responses</h4>
      <ul className="schema-fields">
        {Object.entries(operation.responses).map(([status, response]) => {
          const schema = response.content?.["application/json"]?.schema;
          return (
            <li key={status}>
              <strong>{status}</strong> {response.description}
              {schema ? <SchemaView schema={schema} /> : null}
            </li>
          );
        })}
      </ul>
    </details>
  );
}

export default function ApiDocsPage() {
  const filterId = useId();
  const [filter, setFilter] = useState("");
  const doc = useQuery({
    queryKey: ["openapi"],
    queryFn: ({ signal }) => apiRequest(OPENAPI_PATH, OpenApiDocument, { signal }),
    staleTime: 5 * 60_000,
  });
  if (doc.isPending) return <Loading />;
  if (doc.isError) return <ErrorState error={doc.error} onRetry={() => void doc.refetch()} />;
  const groups = endpointsByTag(doc.data, filter);
  const errorBody = doc.data.components.schemas.ErrorBody;
  return (
    <section className="api-docs" aria-labelledby="api-docs-title">
      <h1 id="api-docs-title">
        {doc.data.info.title} <span className="muted small">v{doc.data.info.version}</span>
      </h1>
      <p>
        <Prose text={doc.data.info.description} />
      </p>
      <p className="small">
        The document itself: <a href={OPENAPI_PATH}>{OPENAPI_PATH}</a> (OpenAPI {doc.data.openapi}).
      </p>
      {errorBody ? (
        <details className="endpoint">
          <summary>Every error answers with ErrorBody</summary>
          <SchemaView schema={errorBody} />
        </details>
      ) : null}
      <div className="field">
        <label htmlFor={filterId}>Filter</label>
        <input
          id={filterId}
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="sessions, POST, api-keys…"
        />
      </div>
      {groups.length === 0 ? <p className="muted">No endpoint matches “{filter}”.</p> : null}
      {groups.map(([tag, endpoints]) => (
        <section key={tag} aria-label={tag}>
          <h2>{tag}</h2>
          {endpoints.map((e) => (
            <EndpointView key={`${e.method} ${e.path}`} endpoint={e} />
          ))}
        </section>
      ))}
    </section>
  );
}
