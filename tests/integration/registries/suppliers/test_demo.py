"""The demo suppliers: realistic, complete but for one, and seeded once."""

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.suppliers.demo import SUPPLIERS, seed
from gpcloud.registries.suppliers.tables import Supplier, SupplierQualification
from tests.integration.registries.suppliers.helpers import MZ_SUPPLIER, TEA, XN_SUPPLIER


async def test_demo_suppliers(suppliers):
    rows = await Supplier.select(
        Supplier.status,
        Supplier.size_class,
        Supplier.organisation.name.as_alias("name"),
        Supplier.organisation.region.as_alias("region"),
        Supplier.organisation.kind.as_alias("kind"),
    )
    assert len(rows) == len(SUPPLIERS) == 13
    assert {r["kind"] for r in rows} == {"supplier"}
    assert [r["name"] for r in rows if r["status"] != "active"] == [TEA]
    assert {r["size_class"] for r in rows} == {"large", "medium", "small", "micro"}
    assert {r["region"] for r in rows} == {"441400", "441402", "441403", "441424", "441481"}
    # The demo accounts' organisations are the suppliers, not copies of them.
    for name in (MZ_SUPPLIER, XN_SUPPLIER):
        assert await Organisation.count().where(Organisation.name == name) == 1
        assert (
            await SupplierQualification.count().where(
                SupplierQualification.supplier.organisation.name == name
            )
            == 3
        )


async def test_seeding_twice_adds_nothing(suppliers):
    counts = (
        await Supplier.count(),
        await SupplierQualification.count(),
        await Organisation.count(),
    )
    with all_tenants("test: audit"):
        entries = await AuditEntry.count()
    await seed()
    assert (
        await Supplier.count(),
        await SupplierQualification.count(),
        await Organisation.count(),
    ) == counts
    with all_tenants("test: audit"):
        assert await AuditEntry.count() == entries


async def test_seeding_before_the_demo_accounts_skips_their_organisations():
    await seed()
    assert await Supplier.count() == 11
    assert await Organisation.count().where(Organisation.name == XN_SUPPLIER) == 0
