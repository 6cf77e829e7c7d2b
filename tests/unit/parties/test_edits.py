"""An edit of a company changes only what it names; a field that cannot be empty refuses null."""
import pytest
from pydantic import ValidationError

from openvmi.parties.schemas import PartyUpdate


@pytest.mark.parametrize("field", ["name", "stale_after_days", "active"])
def test_null_for_a_field_that_cannot_be_empty_is_refused_naming_the_field(field):
    with pytest.raises(ValidationError) as refused:
        PartyUpdate.model_validate({field: None})

    assert [error["loc"] for error in refused.value.errors()] == [(field,)]


def test_null_clears_the_country_and_the_contact_and_nothing_else():
    edit = PartyUpdate.model_validate({"country": None, "contact_email": None})

    assert edit.model_dump(exclude_unset=True) == {"country": None, "contact_email": None}
