"""Filesystem snapshots the app took, kept in a registry so they can be listed and deleted.

Modal cannot list images by owner, and a snapshot is an image. So every snapshot the app takes is
recorded in a named `modal.Dict` (`<app name>-snapshots`), keyed by its image id, under a name that
carries its owner as Daytona's snapshot names do: `nightshift-<purpose>-<deployment tag>-<session>-
<time>`, the tag "x" for an unnamed deployment or 8 hex digits of the deployment's SHA-256. The
control plane's sweep lists the registry and judges each name (its session ended, its warm
snapshot unused); deleting removes the image and its entry. Only images in the registry are ever
deleted: nothing else in the workspace is touched.

A Dict entry expires after 7 days without a read or write, so an image is taken with a TTL of at
most 7 days (NIGHTSHIFT_MODAL_SNAPSHOT_TTL_SECONDS): no image outlives its entry unseen. A session
resuming after its snapshot expired resumes from its branch and conversation instead.
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime, timezone
from typing import Any

_SESSION_ID = re.compile(r"^[0-9a-z]{26}$")
MAX_LISTED = 1000


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def deployment_tag(deployment: str | None) -> str:
    if not deployment:
        return "x"
    return hashlib.sha256(deployment.encode("utf-8")).hexdigest()[:8]


def snapshot_name(purpose: str, labels: dict[str, str], sandbox_id: str, now_ms: int) -> str:
    """The control plane's name for a snapshot (providers/daytona/daytona-snapshots.ts): a
    sandbox whose session label is not a session id gets a name no sweep matches."""
    when = _base36(now_ms)
    session = labels.get("nightshift.session", "")
    if not _SESSION_ID.match(session):
        return f"nightshift-{purpose}-{sandbox_id}-{when}"
    return f"nightshift-{purpose}-{deployment_tag(labels.get('nightshift.deployment'))}-{session}-{when}"


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_ms() -> int:
    return int(time.time() * 1000)


class SnapshotRegistry:
    """The app's record of its snapshots, over the `modal` module handed in."""

    def __init__(self, modal: Any, app_name: str) -> None:
        self._modal = modal
        self._name = f"{app_name}-snapshots"
        self._dict: Any = None

    async def _entries(self) -> Any:
        if self._dict is None:
            self._dict = self._modal.Dict.from_name(self._name, create_if_missing=True)
        return self._dict

    async def record(self, image_id: str, name: str, created_ms: int) -> None:
        entries = await self._entries()
        await entries.put.aio(image_id, {"name": name, "createdAt": iso(created_ms)})

    async def find(self, image_id: str) -> dict[str, Any] | None:
        entries = await self._entries()
        return await entries.get.aio(image_id)

    async def forget(self, image_id: str) -> None:
        entries = await self._entries()
        await entries.pop.aio(image_id, None)

    async def list(self) -> dict[str, Any]:
        entries = await self._entries()
        found: list[dict[str, Any]] = []
        truncated = False
        async for image_id, entry in entries.items.aio():
            if len(found) >= MAX_LISTED:
                truncated = True
                break
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            created = entry.get("createdAt")
            found.append({"id": image_id, "name": entry["name"], "createdAt": created if isinstance(created, str) else None})
        found.sort(key=lambda s: s["createdAt"] or "")
        return {"snapshots": found, "truncated": truncated}


async def delete_image(modal: Any, image_id: str) -> bool:
    """Deletes the image; False when Modal no longer has it. The Python SDK has no public call for
    this: it is the control-plane RPC behind the JS SDK's `Image.delete()` and Go's
    `Images.Delete` (modal_proto `ImageDelete`), reached through the app's own client."""
    from modal_proto import api_pb2

    client = await modal.Client.from_env.aio()
    try:
        await client.stub.ImageDelete(api_pb2.ImageDeleteRequest(image_id=image_id))
    except Exception as error:
        details = str(getattr(error, "message", "") or "")
        if type(error).__name__ == "NotFoundError" or "Could not find image" in details:
            return False
        raise
    return True
