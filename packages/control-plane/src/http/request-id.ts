/** Gives every request an id (kept from a sane incoming X-Request-Id) and echoes it back. */
import { createMiddleware } from "hono/factory";
import { ulid } from "ulid";

const SAFE_ID = /^[A-Za-z0-9._-]{8,100}$/;

export const requestId = createMiddleware(async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const id = incoming && SAFE_ID.test(incoming) ? incoming : ulid();
  c.set("requestId", id);
  c.header("x-request-id", id);
  await next();
});

declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
  }
}
