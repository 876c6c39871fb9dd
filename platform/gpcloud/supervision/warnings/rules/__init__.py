"""The built-in publication rules, one module each; importing this package registers them as
built-in implementations of gpcloud_check_publication (core/plugins/hooks.py `builtin`), so that
every tenant runs them and a tenant's approved plugins add their own beside them."""

from gpcloud.supervision.warnings.rules import (
    banned_supplier,
    bid_period,
    brand_names,
    price_weight,
    restrictive_terms,
    splitting,
)

RULES = {
    module.RULE.code: module.RULE
    for module in (
        bid_period,
        restrictive_terms,
        brand_names,
        price_weight,
        splitting,
        banned_supplier,
    )
}
