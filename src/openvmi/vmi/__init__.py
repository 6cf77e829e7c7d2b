"""Vendor-managed inventory: the consignment loop, one sub-feature per document (agreements first)."""
