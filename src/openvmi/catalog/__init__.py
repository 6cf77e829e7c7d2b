"""Items, units and what each supplier supplies (part number, lead time, MOQ, prices)."""
