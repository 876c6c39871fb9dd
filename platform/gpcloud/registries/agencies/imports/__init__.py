"""The agencies registry's import files: agencies (with their accounts), then their rooms."""

from gpcloud.registries.agencies.imports.agencies import SPEC
from gpcloud.registries.agencies.imports.rooms import ROOMS_SPEC

SPECS = (SPEC, ROOMS_SPEC)

__all__ = ["ROOMS_SPEC", "SPEC", "SPECS"]
