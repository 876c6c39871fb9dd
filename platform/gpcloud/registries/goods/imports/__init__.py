"""Import files of the goods registry: the catalogue, goods, and supplier listings.

Each upserts by its key and leaves equal records alone (a second run of the same file changes
nothing); a blank optional cell keeps what is registered. The rules are the services' rules:
see docs/import-formats/goods.md. Provincial admins run all three.
"""

from gpcloud.registries.goods.imports.categories import CATEGORIES_SPEC
from gpcloud.registries.goods.imports.goods import GOODS_SPEC
from gpcloud.registries.goods.imports.listings import LISTINGS_SPEC

SPECS = (CATEGORIES_SPEC, GOODS_SPEC, LISTINGS_SPEC)
