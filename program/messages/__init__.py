"""Confidential message threads between CBP and one party organisation (PRODUCT.md, "Message thread")."""
