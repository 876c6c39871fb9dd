"""Roles a user can hold, and who may grant which."""

PROVINCE_ADMIN = "province_admin"
TENANT_ADMIN = "tenant_admin"
SUPERVISOR = "supervisor"
PURCHASER = "purchaser"
AGENCY = "agency"
SUPPLIER = "supplier"
EXPERT = "expert"
FINANCIAL_INSTITUTION = "financial_institution"

ROLES = (
    PROVINCE_ADMIN,
    TENANT_ADMIN,
    SUPERVISOR,
    PURCHASER,
    AGENCY,
    SUPPLIER,
    EXPERT,
    FINANCIAL_INSTITUTION,
)

ADMIN_ROLES = frozenset({PROVINCE_ADMIN, TENANT_ADMIN})


def spelled(role: str) -> str:
    """A role as people read it everywhere (messages, CLI, docs): the API's Role enum name,
    TENANT_ADMIN. Stored values stay lower case."""
    return role.upper()


# Organisation kinds; a user's organisation is one of them.
FINANCE_BUREAU = "finance_bureau"
ORGANISATION_KINDS = (
    FINANCE_BUREAU,
    "purchaser",
    "agency",
    "supplier",
    "financial_institution",
    "other",
)

# The kind of organisation each role acts for. Services trust the organisation (a contract party
# is an organisation; a supplier's users are its organisation's), so a role on another kind would
# act for what it is not. Experts act for themselves (their record names their employer): their
# accounts sit in an `other` organisation, never in one that signs or bids.
ROLE_KINDS = {
    PROVINCE_ADMIN: FINANCE_BUREAU,
    TENANT_ADMIN: FINANCE_BUREAU,
    SUPERVISOR: FINANCE_BUREAU,
    PURCHASER: "purchaser",
    AGENCY: "agency",
    SUPPLIER: "supplier",
    EXPERT: "other",
    FINANCIAL_INSTITUTION: "financial_institution",
}

# Organisations a tenant keeps (its finance bureau, its budget units): its admins manage their
# accounts. The others are registered once for the province (suppliers register themselves;
# agencies, experts and financial institutions through the province), so only a provincial admin
# manages their accounts.
TENANT_KINDS = frozenset({FINANCE_BUREAU, "purchaser"})
