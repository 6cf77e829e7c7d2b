"""Receipts: the warehouse takes a shipment in, line by line, with every difference and its reason."""
