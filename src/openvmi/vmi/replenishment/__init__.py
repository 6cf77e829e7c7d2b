"""Replenishment: projected VMI stock per agreement and day, and the shipments that keep it within min/max."""
