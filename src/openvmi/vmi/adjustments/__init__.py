"""Supplier adjustments: the supplier corrects its own VMI stock with a reason; the buyer approves where agreed."""
