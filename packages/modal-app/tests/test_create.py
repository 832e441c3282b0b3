"""POST /v1/sandboxes: what the app asks Modal for, and what it refuses before asking."""

import logging

import modal
import pytest
from helpers import TOKEN, call, create_body

from sandboxes.config import Settings


def creates(world):
    return [details for name, details in world.calls if name == "Sandbox.create"]


def test_creates_a_sandbox_from_the_image_with_only_the_bootstrap_env_and_the_labels_as_tags(world):
    status, body = call("POST", "/v1/sandboxes", create_body())
    assert status == 201
    assert body["id"].startswith("sb-")
    assert body == {
        "id": body["id"],
        "state": "running",
        "exitCode": None,
        "labels": create_body()["labels"],
        "isolation": "gvisor",
        "warnings": [],
        "fromSnapshot": None,
    }
    [asked] = creates(world)
    assert asked["args"] == ("node", "/opt/nightshift/runtime.mjs")
    assert asked["env"] == create_body()["env"]
    assert asked["tags"] == create_body()["labels"]
    assert asked["name"] == "ns-inc1"
    assert asked["image"].object_id == "im-base"
    assert asked["timeout"] == 24 * 60 * 60
    assert asked["app"].name == "nightshift-sandboxes"


def test_the_network_reaches_only_the_control_plane_and_the_tenants_hosts_without_ports(world):
    call("POST", "/v1/sandboxes", create_body())
    [asked] = creates(world)
    assert asked["outbound_domain_allowlist"] == [
        "*.pythonhosted.org",
        "nightshift.example.com",
        "registry.npmjs.org",
    ]


def test_a_control_plane_at_an_ip_address_is_allowed_as_that_one_address(world):
    body = create_body()
    body["env"]["NIGHTSHIFT_CONTROL_PLANE_URL"] = "http://10.1.2.3:8787"
    assert call("POST", "/v1/sandboxes", body)[0] == 201
    [asked] = creates(world)
    assert asked["outbound_cidr_allowlist"] == ["10.1.2.3/32"]
    assert asked["outbound_domain_allowlist"] == ["*.pythonhosted.org", "registry.npmjs.org"]


def test_an_sdk_without_domain_allowlists_fails_closed_instead_of_opening_the_network(world):
    world.domain_allowlist_supported = False
    status, body = call("POST", "/v1/sandboxes", create_body())
    assert status == 500
    assert body["error"]["code"] == "network_allowlist_unsupported"
    assert "NIGHTSHIFT_MODAL_NETWORK=open" in body["error"]["message"]
    assert world.sandboxes == {}


def test_an_open_network_is_the_operators_choice_and_every_session_is_warned(world):
    world.domain_allowlist_supported = False
    status, body = call("POST", "/v1/sandboxes", create_body(), settings=Settings(network="open"))
    assert status == 201
    assert "not restricted" in body["warnings"][0]
    [asked] = creates(world)
    assert "outbound_domain_allowlist" not in asked


def test_a_secret_smuggled_into_env_is_refused_by_name_without_reaching_modal(world):
    body = create_body()
    body["env"]["GITHUB_TOKEN"] = "ghs_secret-value-123"
    status, answer = call("POST", "/v1/sandboxes", body)
    assert status == 400
    assert "GITHUB_TOKEN" in answer["error"]["message"]
    assert "ghs_secret-value-123" not in str(answer)
    assert creates(world) == []


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda b: b["env"].pop("NIGHTSHIFT_BOOTSTRAP_TOKEN"), "NIGHTSHIFT_BOOTSTRAP_TOKEN"),
        (lambda b: b["env"].update(NIGHTSHIFT_CONTROL_PLANE_URL="file:///etc/passwd"), "NIGHTSHIFT_CONTROL_PLANE_URL"),
        (lambda b: b["labels"].pop("nightshift.tenant"), "nightshift.tenant"),
        (lambda b: b["labels"].update({"nightshift.session": "has space"}), "nightshift.session"),
        (lambda b: b["labels"].update({"owner": "someone"}), "owner"),
        (lambda b: b.update(allowHosts=["https://x/ y"]), "allowHosts[0]"),
        (lambda b: b.update(allowHosts=["a.example.com"] * 101), "allowHosts"),
        (lambda b: b.update(snapshotId="../etc"), "snapshotId"),
        (lambda b: b.update(image="evil/image"), "image"),
        (lambda b: b.update(env=["not", "an", "object"]), "env"),
    ],
)
def test_a_malformed_create_is_a_400_naming_the_field_and_modal_is_never_called(world, change, field):
    body = create_body()
    change(body)
    status, answer = call("POST", "/v1/sandboxes", body)
    assert status == 400
    assert answer["error"]["code"] == "invalid_request"
    assert field in answer["error"]["message"]
    assert TOKEN not in answer["error"]["message"]
    assert creates(world) == []


def test_a_body_that_is_not_json_or_too_large_is_refused(world):
    assert call("POST", "/v1/sandboxes", raw=b"{not json")[0] == 400
    status, answer = call("POST", "/v1/sandboxes", raw=b"x" * (300 * 1024))
    assert status == 413
    assert answer["error"]["code"] == "payload_too_large"


def test_a_retried_create_of_the_same_incarnation_answers_the_first_sandbox(world):
    first = call("POST", "/v1/sandboxes", create_body())[1]
    status, second = call("POST", "/v1/sandboxes", create_body())
    assert status == 201
    assert second["id"] == first["id"]
    assert len(world.sandboxes) == 1


def test_creates_from_a_filesystem_snapshot_when_one_is_named(world):
    first = call("POST", "/v1/sandboxes", create_body(1))[1]
    snapshot = call("POST", f"/v1/sandboxes/{first['id']}/snapshots")[1]["snapshotId"]
    status, body = call("POST", "/v1/sandboxes", create_body(2, snapshotId=snapshot))
    assert status == 201
    assert body["fromSnapshot"] == snapshot
    assert creates(world)[-1]["image"].object_id == snapshot


def test_an_unknown_snapshot_is_a_404(world):
    status, body = call("POST", "/v1/sandboxes", create_body(snapshotId="im-gone"))
    assert status == 404
    assert world.sandboxes == {}


@pytest.mark.parametrize(
    "error, status, code",
    [
        (modal.exception.ResourceExhaustedError, 429, "rate_limited"),
        (modal.exception.ServiceError, 503, "upstream_unavailable"),
        (modal.exception.ConnectionError, 503, "upstream_unavailable"),
        (modal.exception.InternalError, 503, "upstream_unavailable"),
        (modal.exception.TimeoutError, 504, "upstream_timeout"),
        (modal.exception.AuthError, 502, "upstream_auth"),
        (modal.exception.InvalidError, 400, "invalid_request"),
        (RuntimeError, 500, "internal"),
    ],
)
def test_modal_failures_are_classified_and_never_quote_the_request(world, caplog, error, status, code):
    world.fail_next["Sandbox.create"] = error(f"rejected request with env {TOKEN}")
    caplog.set_level(logging.DEBUG)
    got, body = call("POST", "/v1/sandboxes", create_body())
    assert (got, body["error"]["code"]) == (status, code)
    assert TOKEN not in body["error"]["message"]
    assert TOKEN not in caplog.text


def test_nothing_the_app_logs_carries_the_bootstrap_token(world, caplog):
    caplog.set_level(logging.DEBUG)
    created = call("POST", "/v1/sandboxes", create_body())[1]
    call("GET", f"/v1/sandboxes/{created['id']}")
    call("DELETE", f"/v1/sandboxes/{created['id']}")
    assert "sandbox created" in caplog.text
    assert TOKEN not in caplog.text
