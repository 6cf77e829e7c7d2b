"""Demand plans: the buyer's requirements per item, plant and day or week, published in versions."""
