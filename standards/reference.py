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

# HTS code prefixes of each reference sector (API.md, "Standards"; also set by migration 0009).
HTS_PREFIXES: dict[str, tuple[str, ...]] = {
    "apparel_footwear": ("61", "62", "64"),
    "handbags_accessories": ("4202",),
    "watches_jewelry": ("91", "7113", "7117"),
    "consumer_electronics": ("8518", "8519", "8521", "8525", "8527", "8528"),
    "mobile_devices": ("851713", "851714"),
    "computers_networking": ("8471", "8473", "851762"),
    "cosmetics_fragrance": ("3303", "3304", "3305"),
    "toys_games": ("9503", "9504"),
    "sporting_goods": ("9506",),
    "home_appliances": ("8450", "8509", "8516"),
    "pharmaceuticals": ("30",),
    "medical_devices": ("9018", "9019", "9020", "9021", "9022"),
    "automotive_parts": ("8708", "4011", "8511", "8512"),
    "aerospace_parts": ("8803", "8411"),
}

CONDITIONS: tuple[str, ...] = ("new_parallel", "used", "refurbished", "recycled")
CONDITION_LABELS = {
    "new_parallel": "New (parallel / gray market)",
    "used": "Used",
    "refurbished": "Refurbished",
    "recycled": "Recycled",
    "blank": "Blank (unbranded)",
}
