"""The experts registry's services: every read and write of the expert pool goes through here.

Other domains use `search`, `conflicted`, `get`, and the draw's pool (`pool.eligible`,
`pool.recusals`), never the tables.
"""

from gpcloud.registries.experts.service.availability import (
    AVOIDANCE_COLUMNS,
    LEAVE_COLUMNS,
    AvoidanceInput,
    LeaveInput,
    add_avoidance,
    add_leave,
    conflicted,
    remove_avoidance,
    remove_leave,
    update_avoidance,
)
from gpcloud.registries.experts.service.experts import (
    COLUMNS,
    ExpertInput,
    apply,
    get,
    of_user,
    register,
    set_phone,
    update,
)
from gpcloud.registries.experts.service.lifecycle import (
    TRANSITIONS,
    change_status,
    link_account,
    record_bad_record,
    reveal_id_number,
)
from gpcloud.registries.experts.service.pool import eligible, recusals
from gpcloud.registries.experts.service.search import ExpertFilter, search, specialties

__all__ = [
    "AVOIDANCE_COLUMNS",
    "COLUMNS",
    "LEAVE_COLUMNS",
    "TRANSITIONS",
    "AvoidanceInput",
    "ExpertFilter",
    "ExpertInput",
    "LeaveInput",
    "add_avoidance",
    "add_leave",
    "apply",
    "change_status",
    "conflicted",
    "eligible",
    "get",
    "link_account",
    "of_user",
    "record_bad_record",
    "recusals",
    "register",
    "remove_avoidance",
    "remove_leave",
    "reveal_id_number",
    "search",
    "set_phone",
    "specialties",
    "update",
    "update_avoidance",
]
