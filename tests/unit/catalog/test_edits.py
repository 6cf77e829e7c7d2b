"""An edit of an item or a supplier item changes only what it names; a field that cannot be empty
refuses null instead of reaching the database's NOT NULL."""
import pytest
from pydantic import ValidationError

from openvmi.catalog.schemas import ItemUpdate, SupplierItemUpdate


@pytest.mark.parametrize(("edit", "field"), [
    (ItemUpdate, "name"), (ItemUpdate, "unit"), (ItemUpdate, "active"),
    (SupplierItemUpdate, "supplier_part_number"), (SupplierItemUpdate, "lead_time_days"), (SupplierItemUpdate, "moq"),
    (SupplierItemUpdate, "pack_size"), (SupplierItemUpdate, "active")])
def test_null_for_a_field_that_cannot_be_empty_is_refused_naming_the_field(edit, field):
    with pytest.raises(ValidationError) as refused:
        edit.model_validate({field: None})

    assert [error["loc"] for error in refused.value.errors()] == [(field,)]


def test_null_clears_a_field_that_may_be_empty():
    edit = ItemUpdate.model_validate({"category": None, "default_low_water": None})

    assert edit.model_dump(exclude_unset=True) == {"category": None, "default_low_water": None}


def test_an_edit_changes_only_the_fields_it_names():
    assert ItemUpdate.model_validate({"name": "Hex bolt M8"}).model_dump(exclude_unset=True) == {"name": "Hex bolt M8"}
    assert SupplierItemUpdate.model_validate({"moq": "500"}).model_dump(exclude_unset=True) == {"moq": 500}
