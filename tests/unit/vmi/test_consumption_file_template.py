"""The backflush template a warehouse downloads reads back as a backflush file, in either language."""
import pytest

from openvmi.vmi.consumptions.rules import TEMPLATE_HEADERS, match_headers


@pytest.mark.parametrize("language", sorted(TEMPLATE_HEADERS))
def test_the_template_header_names_every_column_of_a_backflush_file(language):
    columns, problems = match_headers(list(TEMPLATE_HEADERS[language]))

    assert problems == []
    assert sorted(columns) == ["item_code", "location_code", "quantity", "supplier_code"]
