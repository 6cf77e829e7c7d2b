"""Location kinds and what each may hold. Pure data, no database."""
from openvmi.enums import N_, Labelled


class LocationKind(Labelled):
    SUPPLIER_SITE = "supplier_site", N_("Supplier site")
    VMI = "vmi", N_("VMI store (consignment)")
    WAREHOUSE = "warehouse", N_("Warehouse")
    PRODUCTION = "production", N_("Production line")
    IN_TRANSIT = "in_transit", N_("In transit")
    VIRTUAL = "virtual", N_("Virtual (bookkeeping)")


# Stock physically sits here, so it can never go below zero. Production is a consumption
# sink and virtual locations (adjustment, scrap, supplier origin) are bookkeeping sources.
PHYSICAL_KINDS = frozenset({LocationKind.SUPPLIER_SITE, LocationKind.VMI, LocationKind.WAREHOUSE,
                            LocationKind.IN_TRANSIT})
