"""The e-mall's state machines, where the domain registry looks for them (gpcloud.domains).

They are declared in service/machines.py, beside the services their timers call (an order's
lapse gives its stock back; a demand's close ranks its quotes)."""

from gpcloud.emall.service.machines import (
    AGREEMENT,
    DEMAND,
    DESIGNATED,
    GROUP_BUY,
    ORDER,
    PRICE_ALERT,
)

__all__ = ["AGREEMENT", "DEMAND", "DESIGNATED", "GROUP_BUY", "ORDER", "PRICE_ALERT"]
