"""The input types every schema and route shares (openvmi.fields, openvmi.limits): what passes is
what both databases store exactly; the rest is a field error, never a database error."""
import re
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from openvmi.errors import InvalidInput
from openvmi.fields import Code, Id, Money, PositiveQuantity, Quantity, Search, Text, refuse_unstorable
from openvmi.limits import MAX_ID, MAX_QUANTITY, counter
from openvmi.web.etags import version_from_etag


def refusal(kind, value) -> str:
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(kind).validate_python(value)
    (error,) = refused.value.errors()
    return error["type"]


@pytest.mark.parametrize("text", ["1", "42", str(MAX_ID)])
def test_a_counter_is_ascii_digits_within_an_integer_column(text):
    assert counter(text) == int(text)


@pytest.mark.parametrize("text", ["", "0", "-1", "²", "١٢", "１２", "1.0", " 1", str(MAX_ID + 1), "9" * 5000])
def test_anything_else_is_no_counter(text):
    assert counter(text) is None  # never int()'s ValueError: "²".isdigit() is true


@pytest.mark.parametrize("kind", [Text, Code, Search])
def test_text_with_a_nul_character_is_refused(kind):
    assert refusal(kind, "BOLT\x00M8") == "nul_character"


@pytest.mark.parametrize("kind", [Text, Code, Search])
def test_a_lone_surrogate_is_refused(kind):
    assert refusal(kind, "BOLT\ud800") in {"lone_surrogate", "string_unicode"}


def test_any_real_text_passes_chinese_and_emoji_included():
    assert TypeAdapter(Text).validate_python("宁波恒达 🔩 M8") == "宁波恒达 🔩 M8"


def test_a_search_is_at_most_200_characters():
    assert TypeAdapter(Search).validate_python("x" * 200)
    assert refusal(Search, "x" * 50_000) == "string_too_long"


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, 10**20])
def test_an_id_is_one_up_to_postgresql_integer(value):
    assert refusal(Id, value) in {"greater_than_equal", "less_than_equal"}


def test_quantities_stop_where_a_double_stops_being_exact():
    assert TypeAdapter(Quantity).validate_python("999999999.999999") == MAX_QUANTITY
    assert refusal(Quantity, "1000000000") == "less_than_equal"
    assert refusal(Quantity, "999999999999.999999") == "less_than_equal"
    assert refusal(PositiveQuantity, "0") == "greater_than"
    assert refusal(Quantity, "0.0000001") == "decimal_max_places"
    assert refusal(Quantity, "NaN") in {"finite_number", "decimal_parsing"}


def test_every_accepted_quantity_survives_a_round_trip_through_a_double():
    for text in ("999999999.999999", "123456789.123456", "0.000001", "500000000.000001"):
        quantity = TypeAdapter(Quantity).validate_python(text)
        assert Decimal(f"{float(quantity):.6f}") == quantity  # SQLite's REAL, read back to six places


def test_prices_keep_the_full_numeric_18_6():
    assert TypeAdapter(Money).validate_python("999999999999.999999") == Decimal("999999999999.999999")
    assert refusal(Money, "1000000000000") == "less_than_equal"


def test_text_a_framework_parsed_is_refused_field_by_field():
    refuse_unstorable(username="buyer", password="correct-horse-1")

    with pytest.raises(InvalidInput) as refused:
        refuse_unstorable(username="bu\x00yer", password="pass\ud800word")

    assert [e.field for e in refused.value.errors] == ["username", "password"]


@pytest.mark.parametrize("header,version", [('"3"', 3), ('W/"3"', 3), ("3", 3), (' "12" ', 12)])
def test_an_etag_names_its_version(header, version):
    assert version_from_etag(header) == version


@pytest.mark.parametrize("header", ["²", '"²"', '"0"', '"abc"', f'"{MAX_ID + 1}"', '"' + "9" * 5000 + '"'])
def test_a_made_up_etag_is_a_field_error(header):
    with pytest.raises(InvalidInput) as refused:
        version_from_etag(header)

    assert [e.field for e in refused.value.errors] == ["If-Match"]


def test_every_text_a_schema_accepts_fits_the_column_it_is_stored_in():
    """PostgreSQL refuses text longer than a VARCHAR (a 500) where SQLite keeps it: every input
    schema's string field is at most as long as each same-named column of its feature."""
    too_long = []
    for feature, model in _input_models():
        columns = _string_columns(feature)
        for name, field in model.model_json_schema()["properties"].items():
            lengths = [columns[name]] if name in columns else []
            if not lengths or not _is_text(field):
                continue
            longest = _max_length(field)
            if longest is None or longest > min(lengths):
                too_long.append(f"{model.__name__}.{name}: {longest} > {min(lengths)}")

    assert too_long == []


def _input_models():
    import importlib
    import pkgutil

    from pydantic import BaseModel

    import openvmi

    for info in pkgutil.iter_modules(openvmi.__path__):
        try:
            schemas = importlib.import_module(f"openvmi.{info.name}.schemas")
        except ModuleNotFoundError:
            continue
        for value in vars(schemas).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == schemas.__name__ \
                    and value.__name__.endswith(("Create", "Update", "Replace", "Set", "Request")):
                yield info.name, value


def _string_columns(feature: str) -> dict[str, int]:
    """column name -> the shortest VARCHAR of that name among the feature's tables."""
    from sqlalchemy import String

    import openvmi.models  # noqa: F401 - every feature's tables
    from openvmi.db import Base

    found: dict[str, int] = {}
    for mapper in Base.registry.mappers:
        if mapper.class_.__module__.split(".")[1] != feature:
            continue
        for column in mapper.columns:
            if isinstance(column.type, String) and column.type.length:
                found[column.key] = min(column.type.length, found.get(column.key, column.type.length))
    return found


def _is_text(field: dict) -> bool:
    return field.get("type") == "string" or any(branch.get("type") == "string" for branch in field.get("anyOf", []))


def _max_length(field: dict) -> int | None:
    branches = [field, *field.get("anyOf", [])]
    if any(re.fullmatch(r"\^\(?[\w|]+\)?\$", branch.get("pattern", "")) for branch in branches):
        return 0  # a choice of fixed words, e.g. ^(en|zh_CN)$
    lengths = [branch["maxLength"] for branch in branches if "maxLength" in branch]
    return max(lengths) if lengths else None
