#!/usr/bin/env bash
# Builds the Nightshift sandbox image as a Daytona snapshot (docs/deploy-sandboxes.md).
# Usage, from anywhere in the repository, logged in with `daytona login` (or DAYTONA_API_KEY set):
#   packages/sandbox-image/daytona-snapshot.sh [snapshot-name]
# The name defaults to nightshift-sandbox-<runtime version>; set DAYTONA_SNAPSHOT to the same name.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
version="$(node -p 'require("./packages/sandbox-runtime/package.json").version')"
name="${1:-nightshift-sandbox-${version}}"
if ! command -v daytona >/dev/null 2>&1; then
  echo "the daytona CLI is not installed; see https://www.daytona.io/docs/en/getting-started" >&2
  exit 1
fi
echo "==> building the sandbox runtime bundle"
pnpm --filter @nightshift/sandbox-runtime run build
echo "==> creating Daytona snapshot ${name} from packages/sandbox-image/Dockerfile"
# The context is exactly what the Dockerfile copies: the two runtime bundles, nothing else of the repo.
daytona snapshot create "${name}" \
  --dockerfile packages/sandbox-image/Dockerfile \
  --context packages/sandbox-runtime/dist/runtime.mjs \
  --context packages/sandbox-runtime/dist/git-credential.mjs \
  --cpu "${DAYTONA_SNAPSHOT_CPU:-2}" \
  --memory "${DAYTONA_SNAPSHOT_MEMORY_GB:-4}" \
  --disk "${DAYTONA_SNAPSHOT_DISK_GB:-10}"
echo "==> done; set DAYTONA_SNAPSHOT=${name} on the Worker"
