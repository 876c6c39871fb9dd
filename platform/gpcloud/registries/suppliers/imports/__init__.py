"""The suppliers registry's import files: suppliers, then their qualifications."""

from gpcloud.registries.suppliers.imports.qualifications import LONG_TERM, QUALIFICATIONS
from gpcloud.registries.suppliers.imports.suppliers import SPEC

SPECS = (SPEC, QUALIFICATIONS)

__all__ = ["LONG_TERM", "QUALIFICATIONS", "SPEC", "SPECS"]
