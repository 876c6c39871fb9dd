from piccolo.columns import Date, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.tenancy.tables import ProvinceShared


class CalendarYear(ProvinceShared, Table, tablename="calendar_year"):
    """A year the calendar covers. A deadline that needs any other year is refused."""

    year = Integer(unique=True)
    # "chinesecalendar 1.11.0" for seeded years; "import: <login>" for years an admin loaded.
    source = Varchar(length=128)
    loaded_at = Timestamptz(default=TimestamptzNow())


class CalendarDay(ProvinceShared, Table, tablename="calendar_day"):
    """A date that is not what its weekday says: a statutory holiday, or a make-up working day
    (a weekend the State Council made a working day). Every other date follows its weekday."""

    day = Date(unique=True)
    kind = Varchar(length=8)  # holiday | workday
    name = Varchar(length=64, default="")
