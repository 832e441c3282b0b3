"""Nightshift's Modal app: the HTTPS API the control plane's `modal` provider calls to create,
inspect, snapshot and terminate sandboxes (the Modal JS SDK cannot run in a Worker).

Deploy from the repository root, after building the runtime bundle:

    pnpm --filter @nightshift/sandbox-runtime run build
    modal deploy packages/modal-app/app.py

Every endpoint sits behind Modal's proxy auth: callers send a workspace Proxy Auth Token as the
Modal-Key and Modal-Secret headers, and Modal answers 401 before our code runs otherwise.
Settings (NIGHTSHIFT_MODAL_*, see sandboxes/config.py) are read from the deploying shell and
handed to the web container, so the deployed app runs with what was deployed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import modal

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sandboxes.asgi import make_asgi_app  # noqa: E402
from sandboxes.config import load_settings  # noqa: E402
from sandboxes.service import SandboxService  # noqa: E402

REPO_ROOT = HERE.parent.parent
DOCKERFILE = REPO_ROOT / "packages" / "sandbox-image" / "Dockerfile"
# The web endpoint's URL: https://<workspace>--nightshift-sandboxes.modal.run (MODAL_APP_URL).
ENDPOINT_LABEL = "nightshift-sandboxes"

settings = load_settings()
deploy_settings = {name: value for name, value in os.environ.items() if name.startswith("NIGHTSHIFT_MODAL_")}

app = modal.App(settings.app_name)

# The one sandbox image (packages/sandbox-image/Dockerfile, shared with Daytona's snapshot),
# built with the repository root as context so it can copy the bundled runtime.
sandbox_image = modal.Image.from_dockerfile(str(DOCKERFILE), context_dir=str(REPO_ROOT))

web_image = modal.Image.debian_slim(python_version="3.12").add_local_python_source("sandboxes")


@app.function(image=sandbox_image)
def build_sandbox_image() -> None:
    """Never called: a function on the sandbox image makes `modal deploy` build the image, so the
    first session does not wait for a build."""


@app.function(image=web_image, secrets=[modal.Secret.from_dict(deploy_settings)], timeout=150)
@modal.concurrent(max_inputs=50)
@modal.asgi_app(requires_proxy_auth=True, label=ENDPOINT_LABEL)
def api():
    return make_asgi_app(SandboxService(modal, settings, lambda: sandbox_image))
