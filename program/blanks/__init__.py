"""Blank-goods declarations: parties, lines and the quantities release decisions consume."""
