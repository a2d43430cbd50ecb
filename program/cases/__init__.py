"""Enforcement cases under one identifier: detention, image sharing, responses and outcomes."""
