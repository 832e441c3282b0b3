"""The sandbox image runs what the repository tests with: every agent CLI the runtime has an
adapter for, at the exact version pnpm-lock.yaml resolves for the runtime, on the Node major the
toolchain pins, with the runtime bundle where the build writes it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = (ROOT / "packages/sandbox-image/Dockerfile").read_text()


def adapter_packages() -> set[str]:
    """The npm packages the runtime's agent adapters run (`npmPackage: "..."` in agents/*.ts)."""
    found = set()
    for source in (ROOT / "packages/sandbox-runtime/src/agents").glob("*.ts"):
        if source.name.endswith(".test.ts"):
            continue
        found.update(re.findall(r'npmPackage:\s*"([^"]+)"', source.read_text()))
    return found


def runtime_lock_versions() -> dict[str, str]:
    """`importers: packages/sandbox-runtime: dependencies:` of pnpm-lock.yaml, name -> version."""
    lock = (ROOT / "pnpm-lock.yaml").read_text()
    section = re.search(r"\n  packages/sandbox-runtime:\n((?:    .*\n|\n)*?)(?=  \S)", lock)
    assert section, "pnpm-lock.yaml has no packages/sandbox-runtime importer"
    dependencies = re.search(r"    dependencies:\n((?:      .*\n)*)", section.group(1))
    assert dependencies, "the runtime's importer lists no dependencies"
    versions = {}
    for name, version in re.findall(
        r"      '?([^'\n:]+)'?:\n        specifier: .*\n        version: (\S+)", dependencies.group(1)
    ):
        # pnpm appends the peers a package was resolved with: "0.73.1(ws@8.23.0)(zod@4.6.7)".
        versions[name] = version.split("(", 1)[0]
    return versions


def dockerfile_pins() -> dict[str, str]:
    """Packages the image installs with npm, name -> version (ARG defaults substituted)."""
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", DOCKERFILE, re.MULTILINE))
    pins = {}
    for package, version in re.findall(r'"(@?[a-z0-9][\w./-]*)@([^"]+)"', DOCKERFILE):
        pins[package] = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], version)
    return pins


def test_the_runtime_has_agent_adapters_and_the_lockfile_resolves_each():
    lock = runtime_lock_versions()
    assert "@anthropic-ai/claude-code" in adapter_packages()
    for package in adapter_packages():
        assert package in lock, f"{package} has an adapter but is not a dependency of the runtime"


def test_every_agent_cli_is_pinned_in_the_image_at_the_version_the_repository_tests_with():
    lock = runtime_lock_versions()
    pins = dockerfile_pins()
    wanted = {package: lock[package] for package in adapter_packages()}
    assert {package: pins.get(package) for package in wanted} == wanted
    # Nothing installed that the runtime does not run (an unpinned or stray CLI).
    assert set(pins) == set(wanted)


def test_the_image_uses_the_node_major_of_the_toolchain():
    node_major = re.search(r"^NODE_VERSION := (\d+)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    image = re.search(r"^FROM node:(\d+)\.\d+\.\d+-bookworm-slim$", DOCKERFILE, re.MULTILINE)
    assert image, "the image must start FROM an exactly pinned node:<x.y.z>-bookworm-slim"
    assert image.group(1) == node_major


def test_the_image_copies_the_runtime_bundle_from_where_the_build_writes_it():
    build = (ROOT / "packages/sandbox-runtime/scripts/build.mjs").read_text()
    assert '"../dist/runtime.mjs"' in build
    assert re.search(
        r"^COPY packages/sandbox-runtime/dist/runtime\.mjs /opt/nightshift/runtime\.mjs$", DOCKERFILE, re.MULTILINE
    )


def test_the_image_and_the_daytona_snapshot_carry_the_git_credential_helper_bundle():
    bundle = (ROOT / "packages/sandbox-runtime/scripts/bundle.mjs").read_text()
    assert "git-credential" in bundle
    assert re.search(
        r"^COPY packages/sandbox-runtime/dist/git-credential\.mjs /opt/nightshift/git-credential\.mjs$",
        DOCKERFILE,
        re.MULTILINE,
    )
    script = (ROOT / "packages/sandbox-image/daytona-snapshot.sh").read_text()
    assert "--context packages/sandbox-runtime/dist/git-credential.mjs" in script


def test_the_image_has_git_and_bubblewrap_and_runs_unprivileged():
    assert re.search(r"apt-get install [^\n]*\bgit\b[^\n]*\bbubblewrap\b", DOCKERFILE)
    assert re.search(r"^USER node$", DOCKERFILE, re.MULTILINE)


def test_the_fixed_sandbox_paths_match_the_protocol():
    protocol = (ROOT / "packages/protocol/src/runtime-env.ts").read_text()
    for name in ("SANDBOX_WORKDIR", "SANDBOX_STATE_DIR"):
        path = re.search(rf'export const {name} = "([^"]+)"', protocol).group(1)
        assert path in DOCKERFILE, f"{name} ({path}) is not created in the image"
