"""E-mall services: orders (direct purchase), reverse auctions, price monitoring.

Every read and write of the e-mall's tables goes through here; other domains call these
modules, never the tables. The contracts domain (above the e-mall) concludes confirmed orders
as contracts and drives acceptance and payment through `orders` (contracts/mall.py).
"""
