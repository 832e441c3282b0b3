"""The API's request bodies, checked field by field: a bad request gets a 400 naming the field,
never echoing a value (the bootstrap token travels in `env`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import invalid, not_found

# What a sandbox starts with and nothing more: the control plane's URL, its session and a one-time
# bootstrap token it exchanges for everything else. A secret can never ride in a create request.
BOOTSTRAP_VARIABLES = frozenset(
    {"NIGHTSHIFT_CONTROL_PLANE_URL", "NIGHTSHIFT_SESSION_ID", "NIGHTSHIFT_BOOTSTRAP_TOKEN"}
)
REQUIRED_LABELS = ("nightshift.tenant", "nightshift.session", "nightshift.incarnation")
ALLOWED_LABELS = frozenset({*REQUIRED_LABELS, "nightshift.deployment"})
MAX_ALLOW_HOSTS = 100
MAX_VALUE_LENGTH = 8 * 1024

_LABEL_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# The protocol's EgressHostPattern: a DNS name or *.name, optionally with a port.
_HOST_PATTERN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$")
_SNAPSHOT_ID = re.compile(r"^im-[A-Za-z0-9]{1,64}$")
_SANDBOX_ID = re.compile(r"^sb-[A-Za-z0-9]{1,64}$")


@dataclass(frozen=True)
class CreateRequest:
    env: dict[str, str]
    labels: dict[str, str]
    allow_hosts: list[str] = field(default_factory=list)
    snapshot_id: str | None = None

    @property
    def control_plane_host(self) -> str:
        return urlsplit(self.env["NIGHTSHIFT_CONTROL_PLANE_URL"]).hostname or ""

    @property
    def name(self) -> str:
        """The sandbox's name in the app: unique among running sandboxes, so a retried create
        of the same incarnation finds the first sandbox instead of starting a second."""
        return f"ns-{self.labels['nightshift.incarnation']}"[:64]


def _string_map(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise invalid(f"{where} must be an object of strings")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise invalid(f"{where} must be an object of strings")
        if len(item) > MAX_VALUE_LENGTH:
            raise invalid(f"{where}.{key} is longer than {MAX_VALUE_LENGTH} characters")
    return dict(value)


def _check_env(env: dict[str, str]) -> None:
    extra = sorted(set(env) - BOOTSTRAP_VARIABLES)
    if extra:
        raise invalid(
            f"env may carry only the bootstrap variables ({', '.join(sorted(BOOTSTRAP_VARIABLES))}); "
            f"refused: {', '.join(extra)}"
        )
    missing = sorted(BOOTSTRAP_VARIABLES - set(env))
    if missing:
        raise invalid(f"env is missing {', '.join(missing)}")
    url = urlsplit(env["NIGHTSHIFT_CONTROL_PLANE_URL"])
    if url.scheme not in ("https", "http") or not url.hostname:
        raise invalid("env.NIGHTSHIFT_CONTROL_PLANE_URL must be an http(s) URL with a host")


def _check_labels(labels: dict[str, str]) -> None:
    unknown = sorted(set(labels) - ALLOWED_LABELS)
    if unknown:
        raise invalid(f"labels may be only {', '.join(sorted(ALLOWED_LABELS))}; refused: {', '.join(unknown)}")
    for name in REQUIRED_LABELS:
        if name not in labels:
            raise invalid(f"labels.{name} is required")
    for name, value in labels.items():
        if not _LABEL_VALUE.match(value):
            raise invalid(f"labels.{name} must be 1-100 letters, digits, dots, dashes or underscores")


def _allow_hosts(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ALLOW_HOSTS:
        raise invalid(f"allowHosts must be a list of at most {MAX_ALLOW_HOSTS} host names")
    for index, host in enumerate(value):
        if not isinstance(host, str) or len(host) > 253 or not _HOST_PATTERN.match(host):
            raise invalid(f"allowHosts[{index}] must be a DNS name such as registry.npmjs.org or *.example.com")
    return list(value)


def parse_create(body: object) -> CreateRequest:
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    unknown = sorted(set(body) - {"env", "labels", "allowHosts", "snapshotId"})
    if unknown:
        raise invalid(f"unknown field(s): {', '.join(unknown)}")
    env = _string_map(body.get("env"), "env")
    _check_env(env)
    labels = _string_map(body.get("labels"), "labels")
    _check_labels(labels)
    snapshot_id = body.get("snapshotId")
    if snapshot_id is not None and (not isinstance(snapshot_id, str) or not _SNAPSHOT_ID.match(snapshot_id)):
        raise invalid("snapshotId must be a Modal image id (im-...)")
    return CreateRequest(env=env, labels=labels, allow_hosts=_allow_hosts(body.get("allowHosts")), snapshot_id=snapshot_id)


def parse_sandbox_id(value: str) -> str:
    # An id that cannot be a Modal sandbox's names no sandbox: a 404 like any unknown one, so a
    # repeated terminate of whatever id the caller holds stays idempotent.
    if not _SANDBOX_ID.match(value):
        raise not_found(f"sandbox {value[:80]!r}")
    return value


def parse_label_filter(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """`?label=nightshift.deployment=prod&label=...` as a tag filter; only our labels."""
    wanted: dict[str, str] = {}
    for key, raw in pairs:
        if key != "label":
            raise invalid(f"unknown query parameter {key!r}; filter with label=<name>=<value>")
        name, sep, value = raw.partition("=")
        if not sep or name not in ALLOWED_LABELS or not _LABEL_VALUE.match(value):
            raise invalid(f"label filters look like label=<one of {', '.join(sorted(ALLOWED_LABELS))}>=<value>")
        wanted[name] = value
    return wanted


def parse_snapshot_body(body: object) -> str:
    """`{purpose?}`: what the snapshot is for ("resume" when absent, as an older control plane sent nothing)."""
    if body is None:
        return "resume"
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    unknown = sorted(set(body) - {"purpose"})
    if unknown:
        raise invalid(f"unknown field(s): {', '.join(unknown)}")
    purpose = body.get("purpose", "resume")
    if purpose not in ("warm", "resume"):
        raise invalid("purpose must be warm or resume")
    return purpose


def parse_snapshot_id(value: str) -> str:
    # An id that cannot be a Modal image names no snapshot of ours: a 404, so a repeated delete stays idempotent.
    if not _SNAPSHOT_ID.match(value):
        raise not_found(f"snapshot {value[:80]!r}")
    return value
