from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.tables import ProvinceShared, Tenant

STATUSES = ("pending", "approved", "rejected", "suspended")
ROOM_KINDS = ("opening", "evaluation")


class Agency(ProvinceShared, Table, tablename="agency"):
    """A procurement agency (代理机构): registered once for the province, approved by it, working
    in the tenants it lists. Name, credit code and home region live on its organisation, which
    its users belong to."""

    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, unique=True)
    status = Varchar(length=16, default="pending", index=True)
    # Why it was rejected, suspended or reactivated (or where a migrated record came from).
    status_reason = Text(default="")
    contact_name = Varchar(length=32, default="")
    contact_phone = Varchar(length=20, default="")
    # The CA certificate the seed asks every agency to obtain (三(一) "通知代理机构办理 CA").
    ca_serial = Varchar(length=64, default="")
    ca_issuer = Varchar(length=128, default="")
    ca_valid_until = Date(null=True, default=None)
    decided_by = Integer(null=True, default=None)  # user id of the provincial admin
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class AgencyTenant(ProvinceShared, Table, tablename="agency_tenant"):
    """A tenant the agency works in. Unique (agency, tenant): composite index in the migration."""

    agency = ForeignKey(Agency, on_delete=OnDelete.cascade)
    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)


class AgencyRoom(ProvinceShared, Table, tablename="agency_room"):
    """A bid-opening (开标室) or evaluation room (评标室) and its equipment (seed 三(一) 1-3).
    Names are unique per agency: composite index in the migration."""

    agency = ForeignKey(Agency, on_delete=OnDelete.cascade)
    kind = Varchar(length=16)
    name = Varchar(length=64)
    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    computers = Integer(default=0)
    # Lines of the cameras at the computers: 0 none, 480, 720, 1080...
    camera_resolution = Integer(default=0)
    # Audio/video monitoring of the whole room, no blind spots.
    av_monitoring = Boolean(default=False)
    # The agency stores the recordings and can retrieve them at any time.
    recording_retained = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
