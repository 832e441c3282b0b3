/**
 * The pages of github.com a browser visits in Nightshift's flows, without forms: a "signed-in"
 * browser user (what `login` on the authorize URL does for scripted clients), and the App's
 * install page, which installs nothing new but sends the browser to the App's Setup URL with the
 * user's installation, as GitHub does after "Install".
 */
import type { ServerResponse } from "node:http";
import type { GithubState } from "./github-state";

export class BrowserPages {
  /** The user a browser without `login` on the authorize URL acts as; null → GitHub's sign-in wall. */
  signedIn: string | null = null;
  setupUrl: string | null = null;

  private readonly state: GithubState;

  constructor(state: GithubState) {
    this.state = state;
  }

  /** Why the install page cannot go on, if it cannot. */
  private refusal(slug: string): { status: number; text: string } | null {
    if (slug !== this.state.app.slug) return { status: 404, text: `no GitHub App '${slug}'` };
    if (!this.signedIn) return { status: 401, text: "sign in to GitHub first (signInBrowser)" };
    if (!this.state.installationsVisibleTo(this.signedIn)[0])
      return { status: 404, text: `${this.signedIn} has no installation of ${slug} to pick` };
    if (!this.setupUrl) return { status: 500, text: "the App has no Setup URL (setSetupUrl)" };
    return null;
  }

  isInstallPage(pathname: string): boolean {
    return /^\/apps\/[^/]+\/installations\/new$/.test(pathname);
  }

  installPage(url: URL, res: ServerResponse): void {
    const refusal = this.refusal(url.pathname.split("/")[2] ?? "");
    if (refusal) {
      res.writeHead(refusal.status, { "content-type": "text/plain" }).end(refusal.text);
      return;
    }
    // refusal() has made sure both exist.
    const installation = this.state.installationsVisibleTo(this.signedIn ?? "")[0]!;
    const back = new URL(this.setupUrl!);
    back.searchParams.set("installation_id", String(installation.id));
    back.searchParams.set("setup_action", "install");
    const state = url.searchParams.get("state");
    if (state !== null) back.searchParams.set("state", state);
    res.writeHead(302, { location: back.toString() }).end();
  }
}
