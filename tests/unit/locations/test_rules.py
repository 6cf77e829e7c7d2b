"""Location kinds: which places hold stock physically, and which of that stock may be used or offered."""
from openvmi.locations.rules import AVAILABLE_KINDS, PHYSICAL_KINDS, LocationKind


def test_only_production_lines_and_virtual_places_hold_no_physical_stock():
    assert set(LocationKind) - PHYSICAL_KINDS == {"production", "virtual"}


def test_only_physical_stock_is_available_and_quarantine_never_is():
    assert AVAILABLE_KINDS <= PHYSICAL_KINDS
    assert PHYSICAL_KINDS - AVAILABLE_KINDS == {"quarantine", "supplier_site"}
