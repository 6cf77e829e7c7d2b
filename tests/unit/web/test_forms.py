"""Portal forms: every problem is shown next to the field it is about, in words a person reads;
what no field of the form can show goes on top."""
from decimal import Decimal

from openvmi.alerts.schemas import WebhookEndpointCreate
from openvmi.catalog.schemas import ItemCreate, SupplierItemCreate
from openvmi.errors import Conflict, FieldError, InvalidInput, NotFound, Reason
from openvmi.web.forms import FormState, Message, add_domain_error, parse, plain


def item_form(**typed: str) -> FormState:
    """The new-item form as posted: every field, blank where nothing was typed."""
    return FormState(values={"code": "BOLT-M8", "name": "Hex bolt", "unit": "PCS", "category": "",
                             "default_low_water": ""} | typed)


def test_a_complete_form_becomes_the_request_and_blank_optional_fields_are_left_out():
    form = item_form()

    item = parse(ItemCreate, form.values, form)

    assert (item.code, item.category, item.default_low_water) == ("BOLT-M8", None, None)
    assert not form.invalid


def test_a_blank_required_field_is_reported_as_required_next_to_it():
    form = item_form(code="")

    assert parse(ItemCreate, form.values, form) is None
    assert form.errors == {"code": [Message("This field is required.")]}


def test_each_bad_field_gets_its_own_message_with_the_limit_it_broke():
    form = FormState(values={"supplier_code": "S-1", "item_code": "BOLT-M8", "supplier_part_number": "HD-8",
                             "lead_time_days": "-3", "moq": "lots", "pack_size": "0"})

    assert parse(SupplierItemCreate, form.values, form) is None
    assert form.errors == {"lead_time_days": [Message("Must be at least %(ge)s.", {"ge": 0})],
                           "moq": [Message("Enter a number.")],
                           "pack_size": [Message("Must be greater than %(gt)s.", {"gt": Decimal(0)})]}


def test_a_field_the_request_names_differently_is_reported_at_the_form_field_that_shows_it():
    # the webhook form has one select, `kind`; the request carries it as the list `kinds`
    form = FormState(values={"name": "ERP", "url": "https://erp.example.com/hook", "supplier_id": "", "kind": "limbo"})

    parse(WebhookEndpointCreate, {"name": "ERP", "url": "https://erp.example.com/hook", "kinds": ["limbo"]}, form,
          field_names={"kinds": "kind"})

    assert {name: [m.text for m in messages] for name, messages in form.errors.items()} == {
        "kind": ["Choose one of the options."]}


def test_a_refusal_about_a_field_the_form_does_not_show_goes_on_top():
    form = FormState(values={"name": "Hex bolt"})

    parse(ItemCreate, {"name": "Hex bolt"}, form)

    assert form.errors == {} and {m.text for m in form.general} == {"This field is required."}


def test_a_services_refusal_of_named_fields_lands_on_each_field():
    form = FormState(values={"code": "VMI-1", "kind": "vmi", "plant_code": "P-9", "supplier_code": ""})

    add_domain_error(form, InvalidInput([FieldError("code", Reason("location %(code)s already exists", code="VMI-1")),
                                         FieldError("plant_code", "no such plant: P-9")]))

    assert form.errors == {"code": [Message("location %(code)s already exists", {"code": "VMI-1"})],
                           "plant_code": [Message("no such plant: %(detail)s", {"detail": "P-9"})]}


def test_a_services_refusal_lands_on_the_field_its_message_is_about():
    form = FormState(values={"supplier_code": "", "item_code": "NOPE"})

    add_domain_error(form, NotFound("no such item: NOPE"))

    assert form.errors == {"item_code": [Message("no such item: %(detail)s", {"detail": "NOPE"})]}


def test_overlapping_price_periods_are_shown_at_the_new_prices_start_date():
    # the service names the whole price list; the edit form shows one new price
    form = FormState(values={"price": "2", "currency": "CNY", "valid_from": "2026-01-01"})
    overlap = FieldError("prices", Reason("price periods starting %(first)s and %(second)s overlap",
                                          first="2026-01-01", second="2026-01-01"))

    add_domain_error(form, InvalidInput([overlap]), field_names={"prices": "valid_from"})

    assert form.errors == {"valid_from": [Message("price periods starting %(first)s and %(second)s overlap",
                                                  {"first": "2026-01-01", "second": "2026-01-01"})]}


def test_a_refusal_no_field_is_about_is_shown_on_top_as_it_is():
    form = item_form()

    add_domain_error(form, Conflict("someone else changed this item"))

    assert form.errors == {} and form.general == [Message("someone else changed this item")]


def test_a_quantity_is_shown_as_a_person_types_it():
    assert [plain(q) for q in (Decimal("1200.000000"), Decimal("0.500000"), Decimal("1E+3"), Decimal(0), None)] == [
        "1200", "0.5", "1000", "0", ""]


def test_text_no_database_stores_is_a_message_under_its_field():
    form = item_form(name="Hex\x00bolt", category="Fasteners\ud800")

    assert parse(ItemCreate, form.values, form) is None
    assert form.errors == {"name": [Message("Remove the NUL characters from this text.")],
                           "category": [Message("This text has characters that are not valid Unicode.")]}


def test_a_quantity_past_what_is_stored_exactly_names_the_limit():
    form = item_form(default_low_water="999999999999.999999")

    assert parse(ItemCreate, form.values, form) is None
    assert form.errors == {"default_low_water": [Message("Must be at most %(le)s.",
                                                         {"le": Decimal("999999999.999999")})]}


def test_a_service_reason_keeps_its_msgid_and_values_for_the_reader():
    form = FormState(values={"quantity": "5"})

    add_domain_error(form, InvalidInput([FieldError("quantity", Reason("only %(left)s left", left="2"))]))

    assert form.errors == {"quantity": [Message("only %(left)s left", {"left": "2"})]}


def test_a_refusal_raised_with_a_reason_keeps_its_msgid_on_top_of_the_form_and_reads_in_english_elsewhere():
    form = FormState(values={"alias": "主仓", "site_code": "NB-WH2"})
    refusal = Conflict(Reason("%(alias)s is already an alias of site %(site)s; remove it there first",
                              alias="主仓", site="NB-WH1"))

    add_domain_error(form, refusal)

    assert form.general == [Message("%(alias)s is already an alias of site %(site)s; remove it there first",
                                    {"alias": "主仓", "site": "NB-WH1"})]
    assert str(refusal) == "主仓 is already an alias of site NB-WH1; remove it there first"  # the API's detail
