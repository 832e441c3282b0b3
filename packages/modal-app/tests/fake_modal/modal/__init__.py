"""A fake of the slice of the `modal` SDK the app uses, for tests on a machine without PyPI.

It mirrors the SDK's calling conventions (blocking calls with an `.aio` async twin, Sandbox
class methods, tags, poll() codes 137/124, AlreadyExistsError on a reused running name, a
NotFoundError for unknown ids) and records every call, so tests check what the app asked Modal
for. It is not Modal: what only the real service can show is listed in the package README.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from . import exception

_ids = itertools.count(1)


@dataclass
class World:
    """Everything the fake Modal holds; `reset()` gives each test a fresh one."""

    sandboxes: dict[str, "Sandbox"] = field(default_factory=dict)
    images: dict[str, "Image"] = field(default_factory=dict)
    # Named Dicts (Dict.from_name), each a plain dict of its entries.
    dicts: dict[str, dict[Any, Any]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # The next call of this name raises this exception (then the entry is removed).
    fail_next: dict[str, BaseException] = field(default_factory=dict)
    # An older SDK: Sandbox.create has no outbound_domain_allowlist parameter.
    domain_allowlist_supported: bool = True
    # Recorded by the decorators when app.py is imported.
    functions: list[dict[str, Any]] = field(default_factory=list)


world = World()


def reset() -> World:
    global world
    world = World()
    return world


def _record(call: str, **details: Any) -> None:
    world.calls.append((call, details))
    failure = world.fail_next.pop(call, None)
    if failure is not None:
        raise failure


class _Dual:
    """A callable with an `.aio` twin, like the SDK's synchronicity wrappers."""

    def __init__(self, fn: Any) -> None:
        self._fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)

    def __get__(self, obj: Any, owner: Any) -> "_Dual":
        return self if obj is None else type(self)(self._fn.__get__(obj, owner))

    async def aio(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)


class _DualGenerator(_Dual):
    def aio(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        items = self._fn(*args, **kwargs)

        async def generate() -> Any:
            for item in items:
                yield item

        return generate()


@dataclass
class Image:
    object_id: str
    dockerfile: str | None = None
    context_dir: str | None = None
    local_python_sources: tuple[str, ...] = ()

    @staticmethod
    def from_dockerfile(path: str, context_dir: str | None = None) -> "Image":
        return Image(f"im-dockerfile{next(_ids)}", dockerfile=path, context_dir=context_dir)

    @staticmethod
    def debian_slim(python_version: str | None = None) -> "Image":
        return Image(f"im-slim{next(_ids)}")

    def add_local_python_source(self, *names: str) -> "Image":
        return Image(self.object_id, local_python_sources=names)

    @_Dual
    @staticmethod
    def from_id(image_id: str) -> "Image":
        _record("Image.from_id", image_id=image_id)
        if image_id not in world.images:
            raise exception.NotFoundError(f"Image {image_id} not found")
        return world.images[image_id]


@dataclass
class _App:
    name: str
    app_id: str


class App:
    def __init__(self, name: str) -> None:
        self.name = name

    @_Dual
    @staticmethod
    def lookup(name: str, create_if_missing: bool = False) -> _App:
        _record("App.lookup", name=name, create_if_missing=create_if_missing)
        return _App(name, f"ap-{name}")

    def function(self, **options: Any) -> Any:
        def decorate(fn: Any) -> Any:
            world.functions.append({"name": fn.__name__, **options, **getattr(fn, "_web", {})})
            return fn

        return decorate


def asgi_app(**options: Any) -> Any:
    def decorate(fn: Any) -> Any:
        fn._web = {**getattr(fn, "_web", {}), "asgi": options}
        return fn

    return decorate


def concurrent(max_inputs: int) -> Any:
    def decorate(fn: Any) -> Any:
        fn._web = {**getattr(fn, "_web", {}), "max_inputs": max_inputs}
        return fn

    return decorate


class Secret:
    @staticmethod
    def from_dict(values: dict[str, str]) -> dict[str, Any]:
        return {"secret_from_dict": dict(values)}


class Sandbox:
    def __init__(self, args: tuple[str, ...], options: dict[str, Any]) -> None:
        self.object_id = f"sb-fake{next(_ids)}"
        self.args = args
        self.options = options
        self.tags: dict[str, str] = dict(options.get("tags") or {})
        self.returncode: int | None = None

    @_Dual
    @staticmethod
    def create(*args: str, **options: Any) -> "Sandbox":
        if "outbound_domain_allowlist" in options and not world.domain_allowlist_supported:
            raise TypeError("create() got an unexpected keyword argument 'outbound_domain_allowlist'")
        _record("Sandbox.create", args=args, **options)
        name = options.get("name")
        if name and any(s.options.get("name") == name and s.returncode is None for s in world.sandboxes.values()):
            raise exception.AlreadyExistsError(f"Sandbox with name {name} already exists")
        sandbox = Sandbox(args, options)
        world.sandboxes[sandbox.object_id] = sandbox
        return sandbox

    @_Dual
    @staticmethod
    def from_id(sandbox_id: str) -> "Sandbox":
        _record("Sandbox.from_id", sandbox_id=sandbox_id)
        if sandbox_id not in world.sandboxes:
            raise exception.NotFoundError(f"Sandbox {sandbox_id} not found")
        return world.sandboxes[sandbox_id]

    @_Dual
    @staticmethod
    def from_name(app_name: str, name: str) -> "Sandbox":
        _record("Sandbox.from_name", app_name=app_name, name=name)
        for sandbox in world.sandboxes.values():
            if sandbox.options.get("name") == name and sandbox.returncode is None:
                return sandbox
        raise exception.NotFoundError(f"no running sandbox named {name}")

    @_DualGenerator
    @staticmethod
    def list(app_id: str | None = None, tags: dict[str, str] | None = None) -> list["Sandbox"]:
        _record("Sandbox.list", app_id=app_id, tags=tags)
        wanted = tags or {}
        return [
            s
            for s in world.sandboxes.values()
            if s.returncode is None and all(s.tags.get(k) == v for k, v in wanted.items())
        ]

    @_Dual
    def get_tags(self) -> dict[str, str]:
        _record("Sandbox.get_tags", sandbox_id=self.object_id)
        return dict(self.tags)

    @_Dual
    def poll(self) -> int | None:
        _record("Sandbox.poll", sandbox_id=self.object_id)
        return self.returncode

    @_Dual
    def terminate(self) -> None:
        _record("Sandbox.terminate", sandbox_id=self.object_id)
        if self.returncode is None:
            self.returncode = 137

    @_Dual
    def snapshot_filesystem(self, timeout: int = 55, *, ttl: int | None = 30 * 24 * 3600) -> Image:
        _record("Sandbox.snapshot_filesystem", sandbox_id=self.object_id, timeout=timeout, ttl=ttl)
        if self.returncode is not None:
            raise exception.ConflictError("cannot snapshot a finished sandbox")
        image = Image(f"im-snap{next(_ids)}")
        world.images[image.object_id] = image
        return image


class Dict:
    """A named Dict: `from_name` is lazy (no call until used), entries survive across instances."""

    def __init__(self, name: str) -> None:
        self.name = name

    @staticmethod
    def from_name(name: str, create_if_missing: bool = False) -> "Dict":
        _record("Dict.from_name", name=name, create_if_missing=create_if_missing)
        if name not in world.dicts:
            if not create_if_missing:
                raise exception.NotFoundError(f"Dict {name} not found")
            world.dicts[name] = {}
        return Dict(name)

    @property
    def _entries(self) -> dict[Any, Any]:
        return world.dicts[self.name]

    @_Dual
    def put(self, key: Any, value: Any) -> bool:
        _record("Dict.put", name=self.name, key=key)
        self._entries[key] = value
        return True

    @_Dual
    def get(self, key: Any, default: Any = None) -> Any:
        _record("Dict.get", name=self.name, key=key)
        return self._entries.get(key, default)

    @_Dual
    def pop(self, key: Any, *default: Any) -> Any:
        _record("Dict.pop", name=self.name, key=key)
        if key not in self._entries and default:
            return default[0]
        if key not in self._entries:
            raise KeyError(key)
        return self._entries.pop(key)

    @_DualGenerator
    def items(self) -> list[tuple[Any, Any]]:
        _record("Dict.items", name=self.name)
        return list(self._entries.items())


class _Stub:
    """The control-plane RPCs the app calls directly (modal_proto's ModalClient stub)."""

    async def ImageDelete(self, request: Any) -> None:  # noqa: N802 (the RPC's name)
        _record("ImageDelete", image_id=request.image_id)
        if request.image_id not in world.images:
            raise exception.NotFoundError(f"Could not find image with ID {request.image_id}")
        del world.images[request.image_id]


class Client:
    def __init__(self) -> None:
        self.stub = _Stub()

    @_Dual
    @staticmethod
    def from_env() -> "Client":
        _record("Client.from_env")
        return Client()
