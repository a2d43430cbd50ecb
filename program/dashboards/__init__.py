"""The landing page, each role's home page and the program dashboards."""
