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

from gpcloud.core.plugins import hookspecs

GROUP = "gpcloud.plugins"
HOOKS = tuple(name for name in dir(hookspecs) if name.startswith("gpcloud_"))
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


class PluginRegistry:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, InstalledPlugin] = {}
        self.section_owner: dict[str, str] = {}
        # Changes whenever the installed set does, so cached hook callers are rebuilt.
        self.generation = 0

    def register(self, module: ModuleType, version: str) -> InstalledPlugin:
        meta = getattr(module, "GPCLOUD_PLUGIN", None)
        if not isinstance(meta, dict) or not meta.get("name"):
            raise PluginLoadError(f"{module.__name__}: no GPCLOUD_PLUGIN dict with a name")
        name = meta["name"]
        if name in self.plugins:
            raise PluginLoadError(f"plugin {name} is installed twice")
        config_schema = meta.get("config_schema") or {"type": "object"}
        Draft202012Validator.check_schema(config_schema)
        self.pm.register(module, name=name)
        hooks = tuple(
            hook
            for hook in HOOKS
            if any(impl.plugin_name == name for impl in getattr(self.pm.hook, hook).get_hookimpls())
        )
        sections: dict[str, dict] = {}
        for impl in self.pm.hook.gpcloud_config_sections.get_hookimpls():
            if impl.plugin_name == name:
                sections = impl.function() or {}
        for section, schema in sections.items():
            Draft202012Validator.check_schema(schema)
            if section in self.section_owner:
                self.pm.unregister(name=name)
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
            hooks=hooks,
            sections=sections,
        )
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
        for ep in entry_points(group=GROUP):
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
