"""Customs brokers' pages (their principals and what they did for them) and the importer's page of brokers."""
