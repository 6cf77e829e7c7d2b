"""What a party can be: the buyer (one company, its plants) or one of its suppliers."""
from openvmi.enums import N_, Labelled


class PartyKind(Labelled):
    BUYER = "buyer", N_("Buyer")
    SUPPLIER = "supplier", N_("Supplier")
