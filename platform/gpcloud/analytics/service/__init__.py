"""Every read and write of analytics goes through here: facts and rollups, indicators, flags."""

from gpcloud.analytics.service.refresh import receive

__all__ = ["receive"]
