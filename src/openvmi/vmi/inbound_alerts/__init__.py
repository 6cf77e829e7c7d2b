"""Alerts on the inbound documents: call-offs not answered in time, shipments overdue, receipts with differences."""
