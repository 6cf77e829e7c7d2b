"""Location kinds: which places hold stock physically."""
from openvmi.locations.rules import PHYSICAL_KINDS, LocationKind


def test_production_and_virtual_are_the_only_non_physical_kinds():
    assert set(LocationKind) - PHYSICAL_KINDS == {"production", "virtual"}
