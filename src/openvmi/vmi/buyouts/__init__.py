"""Buyouts: the buyer takes over a supplier's VMI stock where it lies; ending an agreement disposes of what is left."""
