"""The five registries (the "5"): purchasers, agencies, experts, suppliers, goods."""
