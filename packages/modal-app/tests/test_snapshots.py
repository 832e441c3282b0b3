"""Snapshots the app took are recorded under a name carrying their owner, listed for the control
plane's sweep, and deleted on request: only those, never another image in the workspace."""

import modal
import pytest
from helpers import call, create_body, service

from sandboxes.config import MAX_SNAPSHOT_TTL_SECONDS, load_settings
from sandboxes.snapshots import snapshot_name

SESSION = "01kbmodalapp0snapshot00000"


def owned_body(n=1, deployment="prod"):
    body = create_body(n)
    body["labels"] = {**body["labels"], "nightshift.session": SESSION, "nightshift.deployment": deployment}
    return body


def make(svc, body):
    status, created = call("POST", "/v1/sandboxes", body, svc=svc)
    assert status == 201
    return created["id"]


def test_the_name_is_the_control_planes_own_for_the_same_owner():
    # The vector is what providers/daytona/daytona-snapshots.ts makes of the same owner and time.
    labels = {"nightshift.session": SESSION, "nightshift.deployment": "prod"}
    assert snapshot_name("resume", labels, "sb-1", 1700000000000) == f"nightshift-resume-6754af96-{SESSION}-loyw3v28"
    assert snapshot_name("warm", {"nightshift.session": SESSION}, "sb-1", 1700000000000) == (
        f"nightshift-warm-x-{SESSION}-loyw3v28"
    )
    assert snapshot_name("resume", {"nightshift.session": "ses1"}, "sb-1", 1700000000000) == (
        "nightshift-resume-sb-1-loyw3v28"
    )


def test_a_snapshot_is_recorded_listed_and_deleted_once(world):
    svc = service()
    sandbox_id = make(svc, owned_body())
    status, taken = call("POST", f"/v1/sandboxes/{sandbox_id}/snapshots", {"purpose": "warm"}, svc=svc)
    assert status == 201
    image_id = taken["snapshotId"]
    assert taken["name"].startswith(f"nightshift-warm-6754af96-{SESSION}-")
    [asked] = [d for name, d in world.calls if name == "Sandbox.snapshot_filesystem"]
    assert 0 < asked["ttl"] <= MAX_SNAPSHOT_TTL_SECONDS
    status, listed = call("GET", "/v1/snapshots", svc=svc)
    assert status == 200
    assert listed["truncated"] is False
    [entry] = listed["snapshots"]
    assert (entry["id"], entry["name"]) == (image_id, taken["name"])
    assert entry["createdAt"].endswith("Z")
    assert call("DELETE", f"/v1/snapshots/{image_id}", svc=svc) == (200, {"id": image_id, "deleted": True})
    assert image_id not in world.images
    assert call("GET", "/v1/snapshots", svc=svc)[1]["snapshots"] == []
    status, body = call("DELETE", f"/v1/snapshots/{image_id}", svc=svc)
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_the_registry_outlives_the_web_container(world):
    sandbox_id = make(service(), owned_body())
    image_id = call("POST", f"/v1/sandboxes/{sandbox_id}/snapshots", svc=service())[1]["snapshotId"]
    # Another container (a fresh service) lists what the first one took: the registry is a named Dict.
    [entry] = call("GET", "/v1/snapshots", svc=service())[1]["snapshots"]
    assert entry["id"] == image_id
    assert entry["name"].startswith("nightshift-resume-")
    assert [d["name"] for name, d in world.calls if name == "Dict.from_name"][0] == "nightshift-sandboxes-snapshots"


def test_an_image_the_app_did_not_take_is_never_deleted(world):
    world.images["im-someoneelses"] = modal.Image("im-someoneelses")
    status, body = call("DELETE", "/v1/snapshots/im-someoneelses")
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert "im-someoneelses" in world.images
    assert call("DELETE", "/v1/snapshots/../v1/sandboxes")[0] == 404
    assert call("DELETE", "/v1/snapshots/sb-notanimage")[0] == 404
    assert not [name for name, _ in world.calls if name == "ImageDelete"]


def test_a_snapshot_modal_already_dropped_is_forgotten(world):
    svc = service()
    sandbox_id = make(svc, owned_body())
    image_id = call("POST", f"/v1/sandboxes/{sandbox_id}/snapshots", svc=svc)[1]["snapshotId"]
    del world.images[image_id]  # its TTL ran out
    assert call("DELETE", f"/v1/snapshots/{image_id}", svc=svc)[0] == 200
    assert call("GET", "/v1/snapshots", svc=svc)[1]["snapshots"] == []


def test_modal_failing_a_deletion_keeps_the_entry_for_the_next_sweep(world):
    svc = service()
    sandbox_id = make(svc, owned_body())
    image_id = call("POST", f"/v1/sandboxes/{sandbox_id}/snapshots", svc=svc)[1]["snapshotId"]
    world.fail_next["ImageDelete"] = modal.exception.ServiceError("unavailable")
    status, body = call("DELETE", f"/v1/snapshots/{image_id}", svc=svc)
    assert (status, body["error"]["code"]) == (503, "upstream_unavailable")
    assert [s["id"] for s in call("GET", "/v1/snapshots", svc=svc)[1]["snapshots"]] == [image_id]
    assert call("DELETE", f"/v1/snapshots/{image_id}", svc=svc)[0] == 200


def test_a_snapshot_request_names_its_purpose_or_none(world):
    svc = service()
    sandbox_id = make(svc, owned_body())
    for bad in [{"purpose": "backup"}, {"purpose": "warm", "name": "mine"}, ["warm"]]:
        status, body = call("POST", f"/v1/sandboxes/{sandbox_id}/snapshots", bad, svc=svc)
        assert (status, body["error"]["code"]) == (400, "invalid_request"), bad
    assert call("POST", f"/v1/sandboxes/{sandbox_id}/snapshots", {}, svc=svc)[1]["name"].startswith(
        "nightshift-resume-"
    )
    assert call("PUT", "/v1/snapshots")[0] == 405
    assert call("GET", "/v1/snapshots/im-x1")[0] == 405


def test_the_snapshot_ttl_setting_is_bounded_by_the_registrys_lifetime():
    assert load_settings({}).snapshot_ttl_seconds == MAX_SNAPSHOT_TTL_SECONDS
    assert load_settings({"NIGHTSHIFT_MODAL_SNAPSHOT_TTL_SECONDS": "86400"}).snapshot_ttl_seconds == 86400
    for bad in ["60", str(MAX_SNAPSHOT_TTL_SECONDS + 1), "a week"]:
        with pytest.raises(ValueError, match="NIGHTSHIFT_MODAL_SNAPSHOT_TTL_SECONDS"):
            load_settings({"NIGHTSHIFT_MODAL_SNAPSHOT_TTL_SECONDS": bad})
