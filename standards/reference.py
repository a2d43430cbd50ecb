"""Reference sectors of PRODUCT.md (also inserted by the first data migration)."""

from __future__ import annotations

# (code, name, heightened_protection)
SECTORS: tuple[tuple[str, str, bool], ...] = (
    ("apparel_footwear", "Apparel and footwear", False),
    ("handbags_accessories", "Handbags and accessories", False),
    ("watches_jewelry", "Watches and jewelry", False),
    ("consumer_electronics", "Consumer electronics", False),
    ("mobile_devices", "Mobile phones and tablets", False),
    ("computers_networking", "Computers and networking equipment", False),
    ("cosmetics_fragrance", "Cosmetics and fragrance", False),
    ("toys_games", "Toys and games", False),
    ("sporting_goods", "Sporting goods", False),
    ("home_appliances", "Home appliances", False),
    ("pharmaceuticals", "Pharmaceuticals", True),
    ("medical_devices", "Medical devices", True),
    ("automotive_parts", "Automotive parts", True),
    ("aerospace_parts", "Aerospace parts", True),
)

CONDITIONS: tuple[str, ...] = ("new_parallel", "used", "refurbished", "recycled")
CONDITION_LABELS = {
    "new_parallel": "New (parallel / gray market)",
    "used": "Used",
    "refurbished": "Refurbished",
    "recycled": "Recycled",
    "blank": "Blank (unbranded)",
}
