"""The evaluation domain's built-in hook implementations (core/plugins/hooks.py `builtin`):
transaction sits below evaluation and learns the confirmed winner only through
gpcloud_evaluation_result."""

from __future__ import annotations

from gpcloud.core.plugins.hooks import builtin
from gpcloud.evaluation.service import results


@builtin("gpcloud_evaluation_result", "evaluation")
async def gpcloud_evaluation_result(tenant: str, project_id: int) -> list[dict] | None:
    """Each evaluation of the project: pending until the purchaser confirmed the winner."""
    del tenant  # the project names its own
    return await results.results_of_project(project_id) or None
