"""Supplier-published stock: imports, adjustments, history, thresholds, availability."""
