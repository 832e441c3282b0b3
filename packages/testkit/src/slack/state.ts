/**
 * What the Slack double remembers: workspaces (their bot tokens and users), OAuth codes waiting
 * to be exchanged, the messages posted (with every edit), and faults tests asked for.
 */

export interface SlackUserFixture {
  id: string;
  name: string;
  realName?: string;
}

export interface WorkspaceFixture {
  teamId: string;
  teamName: string;
  botUserId: string;
  botToken: string;
  users?: SlackUserFixture[];
}

export interface PostedMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  /** Earlier texts, oldest first (chat.update keeps them here). */
  edits: string[];
  /** Set for chat.postEphemeral: only this user sees it. */
  ephemeralTo: string | null;
  teamId: string;
}

/** A fault for the next `count` calls of `method`: a 429 with Retry-After, an HTTP status, or `{ok:false}`. */
export type Fault =
  | { method: string; kind: "rate_limited"; retryAfterSeconds: number; count: number }
  | { method: string; kind: "http"; status: number; count: number }
  | { method: string; kind: "error"; error: string; count: number };

export class SlackState {
  readonly workspaces = new Map<string, WorkspaceFixture>();
  readonly codes = new Map<string, string>();
  readonly messages: PostedMessage[] = [];
  readonly faults: Fault[] = [];
  readonly calls: { method: string; at: number }[] = [];
  private clock = 1_700_000_000;
  private seq = 0;

  readonly clientId: string;
  readonly clientSecret: string;

  constructor(clientId: string, clientSecret: string) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  addWorkspace(workspace: WorkspaceFixture): void {
    this.workspaces.set(workspace.teamId, workspace);
  }

  /** An OAuth code that, exchanged, installs the app into `teamId`. */
  issueCode(teamId: string): string {
    const code = `code-${teamId}-${++this.seq}`;
    this.codes.set(code, teamId);
    return code;
  }

  workspaceByToken(token: string): WorkspaceFixture | null {
    for (const w of this.workspaces.values()) if (w.botToken === token) return w;
    return null;
  }

  /** A fresh message ts, increasing like Slack's ("<seconds>.<micros>"). */
  nextTs(): string {
    this.seq += 1;
    return `${this.clock + this.seq}.${String(this.seq).padStart(6, "0")}`;
  }

  /** The fault to apply to this call of `method`, if one is armed (each use counts down). */
  takeFault(method: string): Fault | null {
    const index = this.faults.findIndex((f) => f.method === method && f.count > 0);
    if (index < 0) return null;
    const fault = this.faults[index] as Fault;
    fault.count -= 1;
    if (fault.count === 0) this.faults.splice(index, 1);
    return { ...fault };
  }

  thread(channel: string, threadTs: string): PostedMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && (m.threadTs === threadTs || m.ts === threadTs),
    );
  }
}
