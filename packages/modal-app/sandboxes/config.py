"""The app's settings, read once from its environment (a Modal secret or `modal deploy` env)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

# Modal's ceiling for a sandbox's lifetime (Sandbox.create timeout): 24 hours.
MODAL_MAX_LIFETIME_SECONDS = 24 * 60 * 60
# A snapshot's image lives at most as long as its registry entry can go unread (sandboxes/snapshots.py).
MAX_SNAPSHOT_TTL_SECONDS = 7 * 24 * 60 * 60


@dataclass(frozen=True)
class Settings:
    """How sandboxes are created; every field has a default so `modal deploy app.py` just works."""

    # The Modal app sandboxes belong to (and are listed from); also the deployed app's name.
    app_name: str = "nightshift-sandboxes"
    # Backstop on a sandbox's life: Nightshift terminates idle sandboxes itself (after 30 min by
    # default) and its reconciler removes strays; this cap only ends what both missed.
    lifetime_seconds: int = MODAL_MAX_LIFETIME_SECONDS
    cpu: float = 2.0
    memory_mib: int = 4096
    # "allowlist": the sandbox reaches only the control plane and the tenant's hosts.
    # "open": an operator's explicit choice for an SDK without domain allow-lists; every
    # session then shows a warning that its network is not isolated.
    network: str = "allowlist"
    # How long Modal keeps a filesystem snapshot's image (the sweep deletes orphans sooner).
    snapshot_ttl_seconds: int = MAX_SNAPSHOT_TTL_SECONDS
    # The command every sandbox runs: the bundled runtime in the image (packages/sandbox-image).
    command: tuple[str, ...] = ("node", "/opt/nightshift/runtime.mjs")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from NIGHTSHIFT_MODAL_* variables; a bad value fails the deploy, not a request."""
    env = os.environ if env is None else env
    network = env.get("NIGHTSHIFT_MODAL_NETWORK", "allowlist") or "allowlist"
    if network not in ("allowlist", "open"):
        raise ValueError(f'NIGHTSHIFT_MODAL_NETWORK must be "allowlist" or "open", got {network!r}')
    cpu_raw = env.get("NIGHTSHIFT_MODAL_CPU", "") or "2"
    try:
        cpu = float(cpu_raw)
    except ValueError:
        raise ValueError(f"NIGHTSHIFT_MODAL_CPU must be a number of cores, got {cpu_raw!r}") from None
    if not 0.125 <= cpu <= 64:
        raise ValueError(f"NIGHTSHIFT_MODAL_CPU must be between 0.125 and 64, got {cpu}")
    return Settings(
        app_name=env.get("NIGHTSHIFT_MODAL_APP_NAME", "") or "nightshift-sandboxes",
        lifetime_seconds=_int(
            env, "NIGHTSHIFT_MODAL_LIFETIME_SECONDS", MODAL_MAX_LIFETIME_SECONDS, 300, MODAL_MAX_LIFETIME_SECONDS
        ),
        cpu=cpu,
        memory_mib=_int(env, "NIGHTSHIFT_MODAL_MEMORY_MIB", 4096, 512, 262144),
        network=network,
        snapshot_ttl_seconds=_int(
            env, "NIGHTSHIFT_MODAL_SNAPSHOT_TTL_SECONDS", MAX_SNAPSHOT_TTL_SECONDS, 3600, MAX_SNAPSHOT_TTL_SECONDS
        ),
    )
