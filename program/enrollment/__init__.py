"""Trusted-importer enrollment: the application, its screening, CBP's review and the enrollment's life."""
