"""The app's settings and its Modal wiring (app.py imported against the fake SDK)."""

import importlib
import sys
from pathlib import Path

import pytest

from sandboxes.config import load_settings

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_settings_default_to_the_documented_values():
    settings = load_settings({})
    assert (settings.app_name, settings.lifetime_seconds, settings.network) == (
        "nightshift-sandboxes",
        86400,
        "allowlist",
    )
    assert settings.command == ("node", "/opt/nightshift/runtime.mjs")


def test_settings_are_read_from_nightshift_modal_variables():
    settings = load_settings(
        {
            "NIGHTSHIFT_MODAL_APP_NAME": "ns-staging",
            "NIGHTSHIFT_MODAL_LIFETIME_SECONDS": "7200",
            "NIGHTSHIFT_MODAL_CPU": "1.5",
            "NIGHTSHIFT_MODAL_MEMORY_MIB": "2048",
            "NIGHTSHIFT_MODAL_NETWORK": "open",
        }
    )
    assert (settings.app_name, settings.lifetime_seconds, settings.cpu, settings.memory_mib, settings.network) == (
        "ns-staging",
        7200,
        1.5,
        2048,
        "open",
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("NIGHTSHIFT_MODAL_NETWORK", "none"),
        ("NIGHTSHIFT_MODAL_LIFETIME_SECONDS", "90000"),
        ("NIGHTSHIFT_MODAL_LIFETIME_SECONDS", "soon"),
        ("NIGHTSHIFT_MODAL_CPU", "0"),
        ("NIGHTSHIFT_MODAL_MEMORY_MIB", "12"),
    ],
)
def test_a_bad_setting_fails_the_deploy_naming_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        load_settings({name: value})


@pytest.fixture
def app_module(world, monkeypatch):
    monkeypatch.setenv("NIGHTSHIFT_MODAL_CPU", "3")
    monkeypatch.setenv("UNRELATED_SECRET", "must-not-travel")
    sys.modules.pop("app", None)
    module = importlib.import_module("app")
    yield module
    sys.modules.pop("app", None)


def test_the_web_endpoint_requires_modal_proxy_auth(app_module, world):
    [web] = [f for f in world.functions if f["name"] == "api"]
    assert web["asgi"] == {"requires_proxy_auth": True, "label": "nightshift-sandboxes"}
    assert web["timeout"] <= 150


def test_the_deployed_app_gets_only_the_nightshift_modal_settings_of_the_deploying_shell(app_module, world):
    [web] = [f for f in world.functions if f["name"] == "api"]
    [secret] = web["secrets"]
    assert secret == {"secret_from_dict": {"NIGHTSHIFT_MODAL_CPU": "3"}}
    assert app_module.settings.cpu == 3.0


def test_sandboxes_run_the_one_image_built_from_the_shared_dockerfile_at_the_repository_root(app_module, world):
    image = app_module.sandbox_image
    assert Path(image.dockerfile) == REPO_ROOT / "packages/sandbox-image/Dockerfile"
    assert Path(image.dockerfile).is_file()
    assert Path(image.context_dir) == REPO_ROOT
    [build] = [f for f in world.functions if f["name"] == "build_sandbox_image"]
    assert build["image"] is image
    assert app_module.web_image.local_python_sources == ("sandboxes",)


def test_sandboxes_run_the_runtime_where_the_image_puts_it():
    dockerfile = (REPO_ROOT / "packages/sandbox-image/Dockerfile").read_text()
    runtime = load_settings({}).command[1]
    assert f"COPY packages/sandbox-runtime/dist/runtime.mjs {runtime}\n" in dockerfile
