/**
 * Snapshot routes (signed like every /v1 route; registered after the signature check):
 * `POST /v1/sandboxes/:id/snapshots` copies a live sandbox's workdir into the store and answers
 * its ref; `DELETE /v1/snapshots/:ref` forgets one (204 whether or not it was there).
 */
import { type HostSnapshot, TakeSnapshotRequest } from "@nightshift/protocol";
import type { Hono } from "hono";
import type { SandboxManager } from "../sandbox/sandbox-manager";
import { HostError } from "./host-error";

type Env = { Variables: { rawBody: string } };

function parseBody(raw: string): TakeSnapshotRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new HostError("invalid_json", "the body is not valid JSON");
  }
  const parsed = TakeSnapshotRequest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HostError(
      "invalid_request",
      `invalid snapshot request: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

export function registerSnapshotRoutes(app: Hono<Env>, deps: { manager: SandboxManager }): void {
  app.post("/v1/sandboxes/:id/snapshots", async (c) => {
    const { purpose } = parseBody(c.get("rawBody"));
    const snapshot: HostSnapshot = await deps.manager.snapshot(c.req.param("id"), purpose);
    return c.json(snapshot, 201);
  });

  app.delete("/v1/snapshots/:ref", (c) => {
    deps.manager.snapshots.remove(c.req.param("ref"));
    return c.body(null, 204);
  });
}
