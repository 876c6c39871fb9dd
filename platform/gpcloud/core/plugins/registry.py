"""Installed plugins: discovered from the "gpcloud.plugins" entry points, described and digested.

The digest covers the plugin package's source files, so an approval can be bound to the exact
code that was reviewed; a process running other code computes another digest and the approval
no longer applies.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

import pluggy
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from gpcloud.core.plugins import hookspecs
from gpcloud.core.plugins.calling import HOOKS, PluginFailed, call, named

GROUP = "gpcloud.plugins"
SOURCE_SUFFIXES = (".py", ".json", ".toml")


class PluginLoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class InstalledPlugin:
    name: str
    version: str
    description: str
    config_schema: dict
    digest: str
    module: ModuleType
    hooks: tuple[str, ...]
    sections: dict[str, dict] = field(default_factory=dict)

    def config_defaults(self) -> dict:
        """The defaults its config schema declares for top-level properties."""
        properties = self.config_schema.get("properties", {})
        return {key: spec["default"] for key, spec in properties.items() if "default" in spec}


def code_digest(module: ModuleType) -> str:
    """sha256 over the relative paths and contents of the plugin's top-level package files
    (or of the module file itself when it is a lone module)."""
    top = importlib.import_module(module.__name__.split(".")[0])
    path = Path(top.__file__ or "")
    root = path.parent
    if path.name == "__init__.py":
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES)
    else:
        files = [path]
    sha = hashlib.sha256()
    for file in files:
        sha.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return sha.hexdigest()


def _declaration(module: ModuleType) -> tuple[str, dict]:
    meta = getattr(module, "GPCLOUD_PLUGIN", None)
    if not isinstance(meta, dict) or not meta.get("name"):
        raise PluginLoadError(f"{module.__name__}: no GPCLOUD_PLUGIN dict with a name")
    return meta["name"], meta


def _checked_schema(name: str, what: str, schema: object) -> dict:
    if not isinstance(schema, dict):
        raise PluginLoadError(f"plugin {name}: {what} is not a JSON schema object")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise PluginLoadError(
            f"plugin {name}: {what} is not a valid schema: {exc.message}"
        ) from exc
    return schema


def _alone(name: str, module: ModuleType) -> pluggy.PluginManager:
    """A plugin manager holding only this plugin, its implementations wrapped by `named`:
    pluggy checks each against its hookspec without touching the registry's manager."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    wrapped = ModuleType(module.__name__, module.__doc__)
    for attr in dir(module):
        opts = manager.parse_hookimpl_opts(module, attr)
        if opts is None:
            continue
        if opts.get("wrapper") or opts.get("hookwrapper"):
            raise PluginLoadError(f"plugin {name}: {attr} is a hook wrapper; gpcloud takes none")
        hook = opts.get("specname") or attr
        setattr(wrapped, attr, named(name, hook, getattr(module, attr)))
    try:
        manager.register(wrapped, name=name)
        manager.check_pending()
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginLoadError(f"plugin {name}: {exc}") from exc
    return manager


class PluginRegistry:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, InstalledPlugin] = {}
        self.section_owner: dict[str, str] = {}
        # Changes whenever the installed set does, so cached hook callers are rebuilt.
        self.generation = 0

    def register(self, module: ModuleType, version: str) -> InstalledPlugin:
        """Check everything first (declaration, schemas, hookimpls, sections), then register:
        a plugin that fails a check leaves the registry as it was."""
        name, meta = _declaration(module)
        if name in self.plugins:
            raise PluginLoadError(f"plugin {name} is installed twice")
        config_schema = _checked_schema(
            name, "config_schema", meta.get("config_schema") or {"type": "object"}
        )
        alone = _alone(name, module)
        try:
            answers = call(alone.hook.gpcloud_config_sections)
        except PluginFailed as exc:
            raise PluginLoadError(str(exc)) from exc
        sections = answers[0].value if answers else {}
        if not isinstance(sections, dict):
            raise PluginLoadError(f"plugin {name}: gpcloud_config_sections returned no dict")
        for section, schema in sections.items():
            _checked_schema(name, f"section {section}", schema)
            if section in self.section_owner:
                raise PluginLoadError(
                    f"plugin {name}: section {section} is {self.section_owner[section]}'s"
                )
        plugin = InstalledPlugin(
            name=name,
            version=version,
            description=meta.get("description", ""),
            config_schema=config_schema,
            digest=code_digest(module),
            module=module,
            hooks=tuple(hook for hook in HOOKS if getattr(alone.hook, hook).get_hookimpls()),
            sections=sections,
        )
        self.pm.register(alone.get_plugin(name), name=name)
        self.plugins[name] = plugin
        self.section_owner.update({section: name for section in sections})
        self.generation += 1
        return plugin

    def unregister(self, name: str) -> None:
        """Forget a plugin (tests that install a temporary one)."""
        plugin = self.plugins.pop(name)
        self.pm.unregister(name=name)
        for section in plugin.sections:
            self.section_owner.pop(section, None)
        self.generation += 1

    def load_entry_points(self) -> None:
        """In name order, so that pluggy's call order (the last registered first) does not
        depend on how the installed distributions happen to be listed."""
        for ep in sorted(entry_points(group=GROUP), key=lambda ep: ep.name):
            try:
                module = ep.load()
            except Exception as exc:
                raise PluginLoadError(f"plugin entry point {ep.name}: {exc}") from exc
            self.register(module, ep.dist.version if ep.dist else "0")


@cache
def get_registry() -> PluginRegistry:
    registry = PluginRegistry()
    registry.load_entry_points()
    return registry
