/** Maps anything thrown in a handler to `{error:{code,message}}`; internals stay in the log. */
import { type ErrorBody, errorCodeForStatus, errorStatus } from "@nightshift/protocol";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "./app-error";

export function renderError(err: Error, c: Context): Response {
  const requestId = c.get("requestId") as string | undefined;
  if (err instanceof AppError) {
    const body: ErrorBody = {
      error: {
        code: err.code,
        message: err.message,
        ...(err.issues ? { issues: err.issues } : {}),
        requestId,
      },
    };
    return c.json(body, err.status, err.headers);
  }
  if (err instanceof HTTPException && err.status < 500) {
    // A framework exception carries only a status: name it with the table's code for that status.
    const code = errorCodeForStatus(err.status);
    return c.json(
      { error: { code, message: err.message || "bad request", requestId } } satisfies ErrorBody,
      errorStatus(code),
    );
  }
  console.error(JSON.stringify({ level: "error", requestId, error: err.name, message: err.message }));
  const body: ErrorBody = {
    error: {
      code: "internal",
      message: `internal error; quote request id ${requestId} when reporting it`,
      requestId,
    },
  };
  return c.json(body, errorStatus("internal"));
}
