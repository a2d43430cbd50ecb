"""The trusted-importer program: enrollment, blanks, decisions, cases, messages, dashboards."""
