/**
 * The Daytona double's snapshot endpoints, v0.190.0 wire format: `POST /sandbox/{id}/snapshot
 * {name}` answers the sandbox (now `snapshotting`) and takes the snapshot in the background;
 * `GET /snapshots/{idOrName}`, `GET /snapshots?name=&page=&limit=` (paginated like the sandbox
 * list) and `DELETE /snapshots/{id}`; 404 `Snapshot with ID or name … not found` for unknown ones.
 */
import type { Hono } from "hono";
import { z } from "zod";
import type { DaytonaSandbox, SandboxStore } from "./sandbox-store";
import type { DaytonaSnapshot, SnapshotStore } from "./snapshot-store";

const SnapshotBody = z.strictObject({ name: z.string().min(1).max(255), live: z.boolean().optional() });

export interface SnapshotRouteParts {
  sandboxes: SandboxStore;
  snapshots: SnapshotStore;
  snapshotMs: () => number;
  /** The sandbox's files on the sandbox host: copied when a snapshot is taken, forgotten with it. */
  hostFiles: {
    take(sandboxId: string): Promise<string | null>;
    forget(ref: string): Promise<void>;
  };
  error: (path: string, status: number, message: string) => Response;
}

export function addSnapshotRoutes(
  app: Hono<{ Variables: { json: unknown } }>,
  parts: SnapshotRouteParts,
): void {
  const { sandboxes, snapshots, error } = parts;
  const pathOf = (url: string) => new URL(url).pathname;
  const view = ({ sourceSandboxId: _source, hostRef: _files, ...snapshot }: DaytonaSnapshot) => snapshot;

  app.post("/api/sandbox/:id/snapshot", async (c) => {
    const path = pathOf(c.req.url);
    const sandbox: DaytonaSandbox | null = sandboxes.find(c.req.param("id"));
    if (!sandbox) return error(path, 404, `Sandbox with ID or name ${c.req.param("id")} not found`);
    const parsed = SnapshotBody.safeParse(c.get("json"));
    if (!parsed.success) return error(path, 400, "name must be a string");
    if (sandbox.state === "snapshotting") return error(path, 409, "Snapshot creation already in progress");
    if (sandbox.state !== "started" && sandbox.state !== "stopped")
      return error(
        path,
        400,
        `Sandbox ${sandbox.id} is ${sandbox.state}; a snapshot needs it started or stopped`,
      );
    if (snapshots.find(parsed.data.name))
      return error(path, 409, `Snapshot with name ${parsed.data.name} already exists`);
    const wasStarted = sandbox.state === "started";
    if (wasStarted) sandboxes.snapshotting(sandbox);
    const snapshot = snapshots.take(parsed.data.name, sandbox.id, parts.snapshotMs(), () => {
      if (wasStarted) sandboxes.snapshotDone(sandbox);
    });
    // The files come along, as Daytona's snapshot keeps the sandbox's filesystem.
    snapshot.hostRef = await parts.hostFiles.take(sandbox.id);
    return c.json(sandbox, 200);
  });

  app.get("/api/snapshots", (c) => {
    const path = pathOf(c.req.url);
    const page = Number(c.req.query("page") ?? "1");
    const limit = Number(c.req.query("limit") ?? "100");
    if (!Number.isInteger(page) || page < 1) return error(path, 400, "page must not be less than 1");
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      return error(path, 400, "limit must be between 1 and 200");
    const all = snapshots.list(c.req.query("name") ?? null);
    return c.json({
      items: all.slice((page - 1) * limit, page * limit).map(view),
      total: all.length,
      page,
      totalPages: Math.max(1, Math.ceil(all.length / limit)),
    });
  });

  app.get("/api/snapshots/:id", (c) => {
    const snapshot = snapshots.find(c.req.param("id"));
    if (!snapshot)
      return error(pathOf(c.req.url), 404, `Snapshot with ID or name ${c.req.param("id")} not found`);
    return c.json(view(snapshot));
  });

  app.delete("/api/snapshots/:id", async (c) => {
    const snapshot = snapshots.find(c.req.param("id"));
    // Daytona deletes by id only.
    if (!snapshot || snapshot.id !== c.req.param("id"))
      return error(pathOf(c.req.url), 404, `Snapshot with ID ${c.req.param("id")} not found`);
    snapshots.remove(snapshot);
    if (snapshot.hostRef) await parts.hostFiles.forget(snapshot.hostRef);
    return c.body(null, 200);
  });
}
