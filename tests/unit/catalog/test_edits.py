"""An edit of an item or a supplier item changes only what it names; a field that cannot be empty
refuses null instead of reaching the database's NOT NULL."""
import pytest
from pydantic import ValidationError

from openvmi.catalog.schemas import ItemUpdate, SupplierItemUpdate


@pytest.mark.parametrize(("edit", "fields"), [
    (ItemUpdate, ["active", "name", "unit"]),
    (SupplierItemUpdate, ["active", "lead_time_days", "moq", "pack_size", "supplier_part_number"])])
def test_null_for_each_field_that_cannot_be_empty_is_refused_naming_that_field(edit, fields):
    with pytest.raises(ValidationError) as refused:
        edit.model_validate(dict.fromkeys(fields))

    assert sorted(error["loc"][0] for error in refused.value.errors()) == fields


def test_null_clears_a_field_that_may_be_empty():
    edit = ItemUpdate.model_validate({"category": None, "default_low_water": None})

    assert edit.model_dump(exclude_unset=True) == {"category": None, "default_low_water": None}


def test_an_edit_changes_only_the_fields_it_names():
    assert ItemUpdate.model_validate({"name": "Hex bolt M8"}).model_dump(exclude_unset=True) == {"name": "Hex bolt M8"}
    assert SupplierItemUpdate.model_validate({"moq": "500"}).model_dump(exclude_unset=True) == {"moq": 500}
