"""Tables of the experts registry (专家库): one evaluation expert pool for the whole province.

All are province-shared: an expert is registered once and drawn by any region they serve.
Composite indexes (the draw's search paths and the uniqueness of an expert's specialties and
regions) are created in the hand-written migration after the auto one.
"""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.tenancy.tables import ProvinceShared, Tenant

STATUSES = ("pending", "active", "suspended", "retired")
TITLE_LEVELS = ("senior", "deputy_senior", "intermediate")
GENDERS = ("male", "female")
RELATIONS = ("employer", "director", "shareholder", "relative_of_legal_representative", "other")


class Expert(ProvinceShared, Table, tablename="expert"):
    """An evaluation expert. The resident ID number is never stored in clear: its keyed digest
    finds duplicates, its masked form is shown, its ciphertext is revealed to a provincial admin
    on request (audited)."""

    name = Varchar(length=64, index=True)
    id_number_digest = Varchar(length=64, unique=True)
    id_number_masked = Varchar(length=18)
    id_number_cipher = Text(secret=True)
    birth_date = Date()
    gender = Varchar(length=8)
    title_level = Varchar(length=16, index=True)
    title = Varchar(length=64, default="")
    years_of_experience = Integer(default=0)
    employer = Varchar(length=128, default="")
    employer_uscc = Varchar(length=18, null=True, default=None, index=True)
    phone = Varchar(length=20, default="")
    status = Varchar(length=16, default="pending", index=True)
    status_reason = Text(default="")
    # Last day a credit flag (bad record) counts; entry and activation are refused until then.
    bad_record_until = Date(null=True, default=None)
    # The expert's own login account (role expert), if any; an account speaks for one expert.
    user_id = Integer(null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ExpertSpecialty(ProvinceShared, Table, tablename="expert_specialty"):
    """A procurement catalogue code (goods registry) the expert evaluates; one is primary."""

    expert = ForeignKey(Expert, on_delete=OnDelete.cascade)
    category_code = Varchar(length=16)
    primary = Boolean(default=False)


class ExpertRegion(ProvinceShared, Table, tablename="expert_region"):
    """A region the expert serves; serving a city covers its counties."""

    expert = ForeignKey(Expert, on_delete=OnDelete.cascade)
    region = ForeignKey(Tenant, on_delete=OnDelete.restrict)


class ExpertLeave(ProvinceShared, Table, tablename="expert_leave"):
    """A period (both days included) the expert cannot be drawn."""

    expert = ForeignKey(Expert, on_delete=OnDelete.cascade)
    start_date = Date()
    end_date = Date()
    reason = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class ExpertAvoidance(ProvinceShared, Table, tablename="expert_avoidance"):
    """A relation with an organisation that makes the expert recuse themselves from its bids
    while it overlaps the three years before the evaluation."""

    expert = ForeignKey(Expert, on_delete=OnDelete.cascade, index=True)
    organisation_name = Varchar(length=128)
    organisation_uscc = Varchar(length=18, null=True, default=None)
    relation = Varchar(length=40)
    note = Varchar(length=200, default="")
    start_date = Date()
    end_date = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
