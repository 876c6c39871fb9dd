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

# Organisation kinds; a user's organisation is one of them.
ORGANISATION_KINDS = (
    "finance_bureau",
    "purchaser",
    "agency",
    "supplier",
    "financial_institution",
    "other",
)
