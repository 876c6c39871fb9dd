"""The state machine of a plugin request: filed by a tenant, decided by the province."""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.plugins.tables import REQUEST_STATUSES, PluginRequest
from gpcloud.core.workflow.machine import StateMachine, transition

PLUGIN_REQUEST = StateMachine(
    "plugin request",
    "plugin_request",
    PluginRequest,
    states=REQUEST_STATUSES,
    initial="requested",
    create=Perm.PLUGIN_REQUEST,
    transitions=[
        transition(
            "approve",
            "requested",
            "approved",
            Perm.PLUGIN_DECIDE,
            "by another admin than who filed it, for the version and code installed "
            "(seed 三(三): 事先报省财政厅同意)",
        ),
        transition("reject", "requested", "rejected", Perm.PLUGIN_DECIDE, "with a reason"),
        transition("revoke", "approved", "revoked", Perm.PLUGIN_DECIDE, "with a reason"),
        transition("supersede", "approved", "superseded", None, "a newer approval replaces it"),
        transition("enable", "approved", "approved", Perm.PLUGIN_REQUEST),
        transition("disable", "approved", "approved", Perm.PLUGIN_REQUEST),
    ],
    vetoed=False,  # a tenant's plugins have no say over their own approval
)
