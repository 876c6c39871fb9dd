"""The import-linter contracts (pyproject.toml) cover the code as it grows: every core module
sits in a layer, and every domain's API has its contract against other domains' tables."""

import inspect
import tomllib
from pathlib import Path

from gpcloud import domains
from gpcloud.core.workflow.machine import MACHINES

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "platform"


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _module(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layered(module: str, names: set[str]) -> bool:
    return any(module == n or module.startswith(n + ".") for n in names)


def test_every_core_module_is_in_a_layer():
    names = {
        name.strip().strip("()")
        for layer in _contracts()["core"]["layers"]
        for name in layer.replace("|", ":").split(":")
    }
    modules = [
        _module(path)
        for path in (SOURCE / "gpcloud" / "core").rglob("*.py")
        if path.name != "__init__.py"
    ]
    assert modules
    missing = sorted(m for m in modules if not _layered(m, names))
    assert missing == [], f"add these to a layer of the 'core' contract: {missing}"


def test_every_domain_api_has_its_contract():
    contracts = _contracts()
    with_api = [
        d.package
        for d in domains.DOMAINS
        if (SOURCE / d.package.replace(".", "/") / "graphql.py").exists()
        or (SOURCE / d.package.replace(".", "/") / "graphql").is_dir()
    ]
    assert len(with_api) > 10
    missing = [
        package
        for package in with_api
        if f"api-{package.removeprefix('gpcloud.').replace('.', '-')}" not in contracts
    ]
    assert missing == [], f"add an 'api-…' forbidden contract for: {missing}"


def test_every_domain_is_a_layer():
    """The top-level contract names each domain's top package (or marks it optional)."""
    names = {
        name.strip().strip("()")
        for layer in _contracts()["domains"]["layers"]
        for name in layer.replace("|", ":").split(":")
    }
    tops = {d.package.split(".")[1] for d in domains.DOMAINS}
    assert tops - names == set()


def test_every_api_contract_forbids_every_other_domains_tables():
    """A new domain's tables join every other domain's contract (`uv run python -m
    tests.api_contracts` rewrites them from the domain registry)."""
    tables = {
        f"{d.package}.tables"
        for d in domains.DOMAINS
        if (SOURCE / d.package.replace(".", "/") / "tables.py").exists()
    }
    for ident, contract in _contracts().items():
        if ident.startswith("api-"):
            own = contract["source_modules"][0].removesuffix(".graphql") + ".tables"
            assert tables - {own} <= set(contract["forbidden_modules"]), ident


def test_every_timer_effect_named_by_path_exists():
    """A timer whose work lives in a service names it "module:function" (core/workflow); a
    typo there would surface only when the timer fell due."""
    domains.load("workflow")
    named = [t for m in MACHINES for t in m.timers if isinstance(t.after, str)]
    assert named
    for timer in named:
        assert inspect.iscoroutinefunction(timer.effect()), timer.after
