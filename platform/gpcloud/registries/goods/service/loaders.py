"""Batch loaders for the API (gpcloud.core.graphql.dataloaders): related rows in one query per
request."""

from __future__ import annotations

from gpcloud.core.batch import row_lists_by_key, rows_by_key
from gpcloud.registries.goods.service import categories, items
from gpcloud.registries.goods.tables import Category, GoodsItem

categories_by_code = rows_by_key(Category, Category.code, *categories.COLUMNS)
categories_by_parent = row_lists_by_key(Category, Category.parent, *categories.COLUMNS)
items_by_id = rows_by_key(GoodsItem, GoodsItem.id, *items.COLUMNS)
