"""Shipments (ASN): the supplier ships against accepted call-off lines; the stock travels in transit, still its own."""
