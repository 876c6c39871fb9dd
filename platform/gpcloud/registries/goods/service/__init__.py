"""Goods registry services (商品库): the procurement catalogue, goods and supplier listings.

Other domains use this package, never the goods tables: e.g. the experts registry checks
speciality codes with `unknown_categories` and walks them up with `category_ancestors`.
"""

from gpcloud.registries.goods.service.categories import category_ancestors, unknown_categories

__all__ = ["category_ancestors", "unknown_categories"]
