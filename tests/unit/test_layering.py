"""The import direction between trialmatch's packages, read from the source with `ast` (no import).

`matcher` (domain, adapters, services) imports none of the edges; the two edges, `workers`
(Celery) and `api` (HTTP), import `matcher` and not each other; `cli` sits on top and may import
all three. Inside `matcher`, the domain imports no adapter and no service, and adapters import no
service. `Store` (matcher/adapters/store/) is the only module that touches the Redis client.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("matcher", "workers", "api", "cli")

# The Redis gateway: only modules of this package may import the client library or reach
# `Store.r`.
STORE_PACKAGE = "matcher.adapters.store"

# What the pure domain must not know about: I/O libraries, the adapters and the services.
NOT_IN_DOMAIN = ("redis", "httpx", "celery", "kombu", "matcher.adapters", "matcher.services")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return found


SOURCES = _sources()


def _imports(module: str, tree: ast.Module) -> set[str]:
    """Every module `module` imports, absolute; `from pkg import name` also yields `pkg.name`."""
    is_package = module in {m for m in SOURCES if m.startswith(module + ".")}
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            out.add(base)
            # `from matcher.services import erase` imports the submodule `matcher.services.erase`.
            out.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in SOURCES)
    return out


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_sources_were_found() -> None:
    """The scan sees the four packages (an empty scan would make every rule below pass)."""
    expected = {"matcher.adapters.store", "matcher.domain.eligibility", "matcher.services.pipeline"}
    assert expected | {"workers.tasks", "api.app", "cli.main"} <= SOURCES.keys()


def _crossings(importer: str, imported_packages: tuple[str, ...]) -> list[tuple[str, str]]:
    """(module, imported) pairs where a module of `importer` imports one of `imported_packages`."""
    return sorted(
        (module, imported)
        for module, tree in SOURCES.items()
        if _under(module, importer)
        for imported in _imports(module, tree)
        if any(_under(imported, package) for package in imported_packages)
    )


def test_matcher_imports_neither_workers_api_nor_cli() -> None:
    """The domain, its adapters and services never import the Celery, HTTP or command-line edge."""
    assert _crossings("matcher", ("workers", "api", "cli")) == []


def test_workers_and_api_do_not_import_each_other() -> None:
    """The Celery edge and the HTTP edge meet only in `matcher` (and in `cli`, above both)."""
    assert _crossings("workers", ("api", "cli")) == []
    assert _crossings("api", ("workers", "cli")) == []


def test_domain_imports_no_adapter_or_service() -> None:
    """matcher/domain stays pure: no Redis, HTTP or Celery library, no adapter, no service."""
    assert _crossings("matcher.domain", NOT_IN_DOMAIN) == []


def test_adapters_import_no_service() -> None:
    """Adapters (ctgov, store, queue, keys) serve the services, never call them."""
    assert _crossings("matcher.adapters", ("matcher.services",)) == []


def test_the_layer_rule_detects_a_domain_import_of_redis() -> None:
    """The import scan sees `import redis` and an adapter import (empty then means clean)."""
    tree = ast.parse("import redis\nfrom matcher.adapters.store import Store\n")
    assert {"redis", "matcher.adapters.store"} <= _imports("matcher.domain.x", tree)


def _redis_touches(module: str, tree: ast.Module) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "r":
            out.add((module, ".r"))
        elif isinstance(node, ast.Import):
            out.update((module, f"import {a.name}") for a in node.names if _under(a.name, "redis"))
        elif (
            isinstance(node, ast.ImportFrom)
            and not node.level
            and node.module
            and _under(node.module, "redis")
            and not _under(node.module, "redis.exceptions")
        ):
            out.add((module, f"import {node.module}"))
    return out


def test_only_the_store_package_touches_the_redis_client() -> None:
    """`Store` is the one Redis gateway: no module outside matcher/adapters/store imports the client
    library (its exception classes aside) or calls through `Store.r`."""
    found = set()
    for module, tree in SOURCES.items():
        if not _under(module, STORE_PACKAGE):
            found |= _redis_touches(module, tree)
    assert found == set()


def test_lua_lives_only_in_the_store_package() -> None:
    """No Python module holds Lua text: every script is a file under matcher/adapters/store/lua."""
    found = sorted(
        module
        for module, tree in SOURCES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and "redis.call(" in node.value
    )
    assert found == []


def test_the_redis_rule_detects_a_raw_call() -> None:
    """The detector itself sees `store.r.get` and `import redis` (empty then means clean)."""
    tree = ast.parse("import redis\ndef f(store):\n    return store.r.get('k')\n")
    assert _redis_touches("x", tree) == {("x", ".r"), ("x", "import redis")}
