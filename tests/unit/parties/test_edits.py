"""An edit of a company changes only what it names; a field that cannot be empty refuses null."""
import pytest
from pydantic import ValidationError

from openvmi.parties.schemas import PartyUpdate


def test_null_for_the_name_the_staleness_limit_or_the_active_flag_is_refused_naming_each():
    with pytest.raises(ValidationError) as refused:
        PartyUpdate.model_validate({"name": None, "stale_after_days": None, "active": None})

    assert sorted(error["loc"][0] for error in refused.value.errors()) == ["active", "name", "stale_after_days"]


def test_null_clears_the_country_and_the_contact_address():
    edit = PartyUpdate.model_validate({"country": None, "contact_email": None})

    assert edit.model_dump(exclude_unset=True) == {"country": None, "contact_email": None}
