"""Bulk import of contacts and communications from JSONL or CSV files, keyed by external ids."""
