"""The supervision domain's built-in hook implementations: the publication rules
(supervision/warnings/rules/), registered for every tenant when this module is imported
(core/plugins/hooks.py `builtins_of`)."""

from gpcloud.supervision.warnings import rules

__all__ = ["rules"]
