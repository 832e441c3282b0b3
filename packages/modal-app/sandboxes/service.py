"""The sandbox operations, over the `modal` module handed in (the real SDK in the deployed app,
a fake in tests). Every Modal call goes through `.aio` so one web container serves requests
concurrently; every Modal failure becomes an ApiError in words."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any, Awaitable, Callable

from .config import Settings
from .errors import ApiError, from_modal, not_found
from .requests import REQUIRED_LABELS, CreateRequest
from .snapshots import SnapshotRegistry, delete_image, now_ms, snapshot_name

log = logging.getLogger("nightshift.modal")

# Modal's sandboxes run under gVisor; the session shows this as its isolation level.
ISOLATION = "gvisor"
OPEN_NETWORK_WARNING = (
    "this sandbox's network is not restricted: the Modal app runs with NIGHTSHIFT_MODAL_NETWORK=open, "
    "so the agent can reach any host"
)
MAX_LISTED = 1000


def _state_of(returncode: int | None) -> str:
    # Modal's result codes: 137 when terminated, 124 when the lifetime ran out.
    if returncode is None:
        return "running"
    if returncode == 137:
        return "terminated"
    if returncode == 124:
        return "timed_out"
    return "exited"


class SandboxService:
    def __init__(self, modal: Any, settings: Settings, base_image: Callable[[], Any]) -> None:
        self._modal = modal
        self._settings = settings
        self._base_image = base_image
        self._app: Any = None
        self._snapshots = SnapshotRegistry(modal, settings.app_name)

    async def _call(self, doing: str, call: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await call()
        except ApiError:
            raise
        except Exception as error:  # every SDK failure is classified, none escapes as a 500 stack
            raise _failure(doing, error) from None

    async def _lookup_app(self) -> Any:
        if self._app is None:
            self._app = await self._call(
                "looking up the Modal app",
                lambda: self._modal.App.lookup.aio(self._settings.app_name, create_if_missing=True),
            )
        return self._app

    def _network(self, request: CreateRequest) -> tuple[dict[str, Any], list[str]]:
        if self._settings.network == "open":
            return {}, [OPEN_NETWORK_WARNING]
        # The control plane is the sandbox's only required destination: bridge, model gateway
        # and git proxy all live there. Ports are dropped: Modal's allow-list is by domain. A
        # control plane at an IP address (a private deployment) is allowed as that one address.
        hosts = {h.rsplit(":", 1)[0] for h in request.allow_hosts}
        cidrs: list[str] = []
        try:
            address = ipaddress.ip_address(request.control_plane_host)
            cidrs.append(f"{address}/{address.max_prefixlen}")
        except ValueError:
            hosts.add(request.control_plane_host)
        network: dict[str, Any] = {"outbound_domain_allowlist": sorted(hosts)}
        if cidrs:
            network["outbound_cidr_allowlist"] = cidrs
        return network, []

    async def create(self, request: CreateRequest) -> dict[str, Any]:
        app = await self._lookup_app()
        if request.snapshot_id:
            snapshot_id = request.snapshot_id
            image = await self._call(
                "finding the snapshot", lambda: self._modal.Image.from_id.aio(snapshot_id)
            )
        else:
            image = self._base_image()
        network, warnings = self._network(request)

        async def create() -> Any:
            try:
                return await self._modal.Sandbox.create.aio(
                    *self._settings.command,
                    app=app,
                    name=request.name,
                    tags=request.labels,
                    image=image,
                    env=request.env,
                    timeout=self._settings.lifetime_seconds,
                    cpu=self._settings.cpu,
                    memory=self._settings.memory_mib,
                    **network,
                )
            except TypeError as error:
                if "outbound_" not in str(error):
                    raise
                # Fail closed: never start a sandbox with an open network the operator did not choose.
                raise ApiError(
                    500,
                    "network_allowlist_unsupported",
                    "this Modal SDK cannot restrict a sandbox's network to domains; deploy the app "
                    "with a newer modal package, or set NIGHTSHIFT_MODAL_NETWORK=open to accept an open network",
                ) from None

        try:
            sandbox = await create()
        except Exception as error:
            if isinstance(error, ApiError):
                raise
            if type(error).__name__ != "AlreadyExistsError":
                raise _failure("creating the sandbox", error) from None
            # A retried create of the same incarnation: the first one's sandbox is the answer.
            sandbox = await self._call(
                "finding the sandbox created for this incarnation",
                lambda: self._modal.Sandbox.from_name.aio(self._settings.app_name, request.name),
            )
        log.info(
            "sandbox created: %s session=%s incarnation=%s snapshot=%s",
            sandbox.object_id,
            request.labels["nightshift.session"],
            request.labels["nightshift.incarnation"],
            bool(request.snapshot_id),
        )
        return {
            "id": sandbox.object_id,
            "state": "running",
            "exitCode": None,
            "labels": request.labels,
            "isolation": ISOLATION,
            "warnings": warnings,
            "fromSnapshot": request.snapshot_id,
        }

    async def _ours(self, sandbox_id: str) -> tuple[Any, dict[str, str]]:
        """The sandbox and its labels, or 404 when it does not exist or is not a Nightshift
        sandbox: the workspace may hold others, and this API never touches them."""
        try:
            sandbox = await self._modal.Sandbox.from_id.aio(sandbox_id)
            tags = await sandbox.get_tags.aio()
        except Exception as error:
            if type(error).__name__ == "NotFoundError":
                raise not_found(f"sandbox {sandbox_id}") from None
            raise _failure("looking up the sandbox", error) from None
        labels = {k: v for k, v in dict(tags).items() if k.startswith("nightshift.")}
        if not all(name in labels for name in REQUIRED_LABELS):
            raise not_found(f"sandbox {sandbox_id}")
        return sandbox, labels

    async def status(self, sandbox_id: str) -> dict[str, Any]:
        sandbox, labels = await self._ours(sandbox_id)
        code = await self._call("reading the sandbox's state", lambda: sandbox.poll.aio())
        return {"id": sandbox_id, "state": _state_of(code), "exitCode": code, "labels": labels}

    async def terminate(self, sandbox_id: str) -> dict[str, Any]:
        sandbox, labels = await self._ours(sandbox_id)
        await self._call("terminating the sandbox", lambda: sandbox.terminate.aio())
        log.info("sandbox terminated: %s session=%s", sandbox_id, labels.get("nightshift.session"))
        return {"id": sandbox_id, "state": "terminated", "exitCode": None, "labels": labels}

    async def snapshot(self, sandbox_id: str, purpose: str = "resume") -> dict[str, Any]:
        sandbox, labels = await self._ours(sandbox_id)
        ttl = self._settings.snapshot_ttl_seconds
        # Under the web endpoint's 150 s limit; Modal's own default for this call is 55 s.
        image = await self._call(
            "snapshotting the sandbox's filesystem",
            lambda: sandbox.snapshot_filesystem.aio(timeout=55, ttl=ttl),
        )
        taken = now_ms()
        name = snapshot_name(purpose, labels, sandbox_id, taken)
        # Recorded before answering: a snapshot the caller loses track of is still found by the sweep.
        await self._call("recording the snapshot", lambda: self._snapshots.record(image.object_id, name, taken))
        log.info("snapshot taken: %s of %s (%s)", image.object_id, sandbox_id, name)
        return {"sandboxId": sandbox_id, "snapshotId": image.object_id, "name": name}

    async def list_snapshots(self) -> dict[str, Any]:
        """The snapshots the app took and has not deleted, oldest first (the sweep's view)."""
        return await self._call("listing the snapshots", self._snapshots.list)

    async def delete_snapshot(self, image_id: str) -> dict[str, Any]:
        """Deletes a snapshot the app took; any other image is a 404 and is never touched."""
        entry = await self._call("finding the snapshot", lambda: self._snapshots.find(image_id))
        if entry is None:
            raise not_found(f"snapshot {image_id}")
        existed = await self._call("deleting the snapshot", lambda: delete_image(self._modal, image_id))
        await self._call("forgetting the snapshot", lambda: self._snapshots.forget(image_id))
        log.info("snapshot deleted: %s (%s)%s", image_id, entry.get("name"), "" if existed else ", already gone")
        return {"id": image_id, "deleted": True}

    async def list(self, labels: dict[str, str]) -> dict[str, Any]:
        """The app's running Nightshift sandboxes carrying every label asked for (the reconciler's view)."""
        app = await self._lookup_app()

        async def collect() -> dict[str, Any]:
            found: list[dict[str, Any]] = []
            truncated = False
            async for sandbox in self._modal.Sandbox.list.aio(app_id=app.app_id, tags=labels or None):
                if len(found) >= MAX_LISTED:
                    truncated = True
                    break
                tags = dict(await sandbox.get_tags.aio())
                own = {k: v for k, v in tags.items() if k.startswith("nightshift.")}
                if not all(name in own for name in REQUIRED_LABELS):
                    continue
                found.append({"id": sandbox.object_id, "state": "running", "exitCode": None, "labels": own})
            return {"sandboxes": found, "truncated": truncated}

        return await self._call("listing the app's sandboxes", collect)


def _failure(doing: str, error: BaseException) -> ApiError:
    mapped = from_modal(error, doing)
    # The class name only: an SDK message may quote the request, bootstrap token included.
    log.warning("%s failed: %s (%s)", doing, type(error).__name__, mapped.code)
    return mapped
