/**
 * Entry point of the credential helper bundle (`node dist/git-credential.mjs get`), built beside
 * the runtime's: the same helper as `node runtime.mjs git-credential get`, without loading the
 * whole runtime. git runs the helper for every clone, fetch and push; starting the full bundle
 * costs ~0.3 s of CPU each time, this one a fraction of it. See workspace/credential-helper.ts.
 */
import { answerCredentialRequest } from "./workspace/credential-answer";

answerCredentialRequest(process.argv[2], process.env).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
