"""Location kinds and what each may hold. Pure data, no database."""
from openvmi.enums import N_, Labelled


class LocationKind(Labelled):
    SUPPLIER_SITE = "supplier_site", N_("Supplier site")
    VMI = "vmi", N_("VMI store (consignment)")
    WAREHOUSE = "warehouse", N_("Warehouse")
    PRODUCTION = "production", N_("Production line")
    IN_TRANSIT = "in_transit", N_("In transit")
    QUARANTINE = "quarantine", N_("Quarantine (damaged or blocked)")
    VIRTUAL = "virtual", N_("Virtual (bookkeeping)")


# Stock physically sits here, so it can never go below zero and keeps FIFO layers. Production
# is a consumption sink and virtual locations (adjustment, scrap, supplier origin) are
# bookkeeping sources.
PHYSICAL_KINDS = frozenset({LocationKind.SUPPLIER_SITE, LocationKind.VMI, LocationKind.WAREHOUSE,
                            LocationKind.IN_TRANSIT, LocationKind.QUARANTINE})

# Physical stock the buyer side may use or offer. Quarantined stock (damaged or blocked) counts
# as on hand but is never available; a supplier's own sites are reported through supplier stock,
# not offered from the ledger.
AVAILABLE_KINDS = frozenset({LocationKind.VMI, LocationKind.WAREHOUSE, LocationKind.IN_TRANSIT})
