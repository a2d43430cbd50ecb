"""Rights-holder service tiers (COAC 2023 item 9): tiers and fees, each organisation's tier, yearly invoices,
and the one feature check every paid feature goes through (:func:`program.tiers.features.has_feature`)."""
