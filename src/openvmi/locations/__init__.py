"""Stock locations: master data that the ledger, supplier stock and the VMI loop all name."""
