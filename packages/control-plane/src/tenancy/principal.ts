/** Who is calling, before any tenant is chosen: a signed-in user, or an API key (which fixes its tenant). */
import type { Role } from "@nightshift/protocol";

export interface UserSummary {
  id: string;
  login: string;
  name: string;
  email: string;
  avatarUrl: string | null;
}

export type Principal =
  | { kind: "session"; user: UserSummary; sid: string }
  | {
      kind: "api_key";
      user: UserSummary;
      /** `role` is already capped at the creator's current role in the tenant. */
      key: { id: string; tenantId: string; role: Role; name: string };
    };

export function summarize(user: UserSummary): UserSummary {
  return { id: user.id, login: user.login, name: user.name, email: user.email, avatarUrl: user.avatarUrl };
}
