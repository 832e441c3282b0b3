"""Status, terminate, list and snapshot: what the control plane and its reconciler rely on."""

import modal
from helpers import call, create_body, service


def make(n=1, svc=None):
    status, body = call("POST", "/v1/sandboxes", create_body(n), svc=svc)
    assert status == 201
    return body["id"]


def foreign_sandbox():
    """A sandbox someone else runs in the same Modal workspace: no Nightshift labels."""
    return modal.Sandbox.create("python3", "-m", "http.server", tags={"team": "data"}).object_id


def test_status_follows_the_sandbox_from_running_to_its_exit(world):
    sandbox_id = make()
    assert call("GET", f"/v1/sandboxes/{sandbox_id}")[1]["state"] == "running"
    world.sandboxes[sandbox_id].returncode = 3
    status, body = call("GET", f"/v1/sandboxes/{sandbox_id}")
    assert status == 200
    assert body == {"id": sandbox_id, "state": "exited", "exitCode": 3, "labels": create_body()["labels"]}
    world.sandboxes[sandbox_id].returncode = 124
    assert call("GET", f"/v1/sandboxes/{sandbox_id}")[1]["state"] == "timed_out"


def test_an_unknown_sandbox_and_an_id_no_sandbox_can_have_are_both_404s(world):
    status, body = call("GET", "/v1/sandboxes/sb-neverexisted")
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert call("GET", "/v1/sandboxes/not-an-id")[0] == 404
    assert call("DELETE", "/v1/sandboxes/sbx-never-created")[0] == 404
    assert [name for name, _ in world.calls if name == "Sandbox.from_id"] == ["Sandbox.from_id"]


def test_terminate_ends_the_sandbox_and_is_repeatable(world):
    sandbox_id = make()
    status, body = call("DELETE", f"/v1/sandboxes/{sandbox_id}")
    assert (status, body["state"]) == (200, "terminated")
    assert world.sandboxes[sandbox_id].returncode == 137
    assert call("GET", f"/v1/sandboxes/{sandbox_id}")[1]["state"] == "terminated"
    assert call("DELETE", f"/v1/sandboxes/{sandbox_id}")[0] == 200
    assert call("DELETE", "/v1/sandboxes/sb-neverexisted")[0] == 404


def test_a_sandbox_without_nightshift_labels_is_invisible_and_untouchable(world):
    other = foreign_sandbox()
    assert call("GET", f"/v1/sandboxes/{other}")[0] == 404
    assert call("DELETE", f"/v1/sandboxes/{other}")[0] == 404
    assert call("POST", f"/v1/sandboxes/{other}/snapshots")[0] == 404
    assert world.sandboxes[other].returncode is None
    assert all(s["id"] != other for s in call("GET", "/v1/sandboxes")[1]["sandboxes"])


def test_list_answers_the_running_nightshift_sandboxes_matching_every_label(world):
    svc = service()
    first, second = make(1, svc), make(2, svc)
    foreign_sandbox()
    call("DELETE", f"/v1/sandboxes/{second}", svc=svc)
    third = make(3, svc)
    status, body = call("GET", "/v1/sandboxes", svc=svc)
    assert status == 200
    assert sorted(s["id"] for s in body["sandboxes"]) == sorted([first, third])
    assert body["truncated"] is False
    status, body = call("GET", "/v1/sandboxes", query="label=nightshift.session=ses3", svc=svc)
    assert [s["id"] for s in body["sandboxes"]] == [third]
    assert body["sandboxes"][0]["labels"]["nightshift.incarnation"] == "inc3"
    [listed] = [d for name, d in world.calls if name == "Sandbox.list"][-1:]
    assert listed == {"app_id": "ap-nightshift-sandboxes", "tags": {"nightshift.session": "ses3"}}


def test_list_refuses_filters_on_anything_but_nightshift_labels(world):
    for query in ["label=team=data", "label=nightshift.session", "owner=me"]:
        status, body = call("GET", "/v1/sandboxes", query=query)
        assert (status, body["error"]["code"]) == (400, "invalid_request"), query


def test_snapshot_returns_an_image_id_and_a_finished_sandbox_cannot_be_snapshotted(world):
    sandbox_id = make()
    status, body = call("POST", f"/v1/sandboxes/{sandbox_id}/snapshots")
    assert status == 201
    assert body["sandboxId"] == sandbox_id
    assert body["snapshotId"].startswith("im-")
    [asked] = [d for name, d in world.calls if name == "Sandbox.snapshot_filesystem"]
    assert asked["timeout"] <= 150
    call("DELETE", f"/v1/sandboxes/{sandbox_id}")
    status, body = call("POST", f"/v1/sandboxes/{sandbox_id}/snapshots")
    assert (status, body["error"]["code"]) == (409, "conflict")


def test_health_unknown_paths_and_wrong_methods(world):
    assert call("GET", "/v1/health") == (200, {"ok": True})
    assert call("GET", "/v2/sandboxes")[0] == 404
    assert call("PUT", "/v1/sandboxes")[0] == 405
    assert call("PATCH", "/v1/sandboxes/sb-x1")[0] == 405
    assert call("GET", "/v1/sandboxes/sb-x1/snapshots")[0] == 405


def test_modal_being_down_while_terminating_is_a_503_not_a_crash(world):
    sandbox_id = make()
    world.fail_next["Sandbox.terminate"] = modal.exception.ServiceError("unavailable")
    status, body = call("DELETE", f"/v1/sandboxes/{sandbox_id}")
    assert (status, body["error"]["code"]) == (503, "upstream_unavailable")
    world.fail_next["Sandbox.from_id"] = modal.exception.ConnectionError("reset")
    assert call("GET", f"/v1/sandboxes/{sandbox_id}")[0] == 503
