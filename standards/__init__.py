"""Sectors, recorded marks, genuineness standards, endorsements and photographic guides."""
