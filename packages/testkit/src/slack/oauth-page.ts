/**
 * The Slack double's install page, as a browser sees Slack's: GET /oauth/v2/authorize shows which
 * workspace the app is being added to and its scopes, with "Allow" and "Cancel"; both go back to
 * the app's redirect_uri with `state`, Allow with a code that installs the app into that workspace
 * (oauth.v2.access), Cancel with `error=access_denied`. Unknown clients and missing redirect URIs
 * are refused on the page, as Slack does.
 */
import type { Hono } from "hono";
import type { SlackState } from "./state";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

export function mountOAuthPage(app: Hono, state: SlackState): void {
  app.get("/oauth/v2/authorize", (c) => {
    const clientId = c.req.query("client_id");
    const redirectUri = c.req.query("redirect_uri");
    const workspace = [...state.workspaces.values()][0];
    if (clientId !== state.clientId || !redirectUri || !workspace)
      return c.html(
        page("Slack", "<h1>Something went wrong</h1><p>invalid_client_id or redirect_uri</p>"),
        400,
      );
    const hidden = (name: string, value: string) =>
      `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
    const fields =
      hidden("redirect_uri", redirectUri) +
      hidden("state", c.req.query("state") ?? "") +
      hidden("team", workspace.teamId);
    const scopes = (c.req.query("scope") ?? "").split(",").filter(Boolean);
    return c.html(
      page(
        "Slack",
        `<h1>Nightshift is requesting permission to access the ${escapeHtml(workspace.teamName)} Slack workspace</h1>` +
          `<ul>${scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ul>` +
          `<form method="get" action="/oauth/v2/decide">${fields}` +
          `<button type="submit" name="decision" value="allow">Allow</button> ` +
          `<button type="submit" name="decision" value="cancel">Cancel</button></form>`,
      ),
    );
  });

  app.get("/oauth/v2/decide", (c) => {
    const redirectUri = c.req.query("redirect_uri") ?? "";
    const teamId = c.req.query("team") ?? "";
    let back: URL;
    try {
      back = new URL(redirectUri);
    } catch {
      return c.text("bad redirect_uri", 400);
    }
    if (c.req.query("decision") === "allow" && state.workspaces.has(teamId))
      back.searchParams.set("code", state.issueCode(teamId));
    else back.searchParams.set("error", "access_denied");
    back.searchParams.set("state", c.req.query("state") ?? "");
    return c.redirect(back.toString(), 302);
  });
}
