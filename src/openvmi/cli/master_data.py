"""Master data from the shell (suppliers, plants, items, supplier items, locations): the same use
cases as the API, for scripted set-up."""
from typing import Annotated

import typer
from rich.table import Table

from openvmi.cli.common import console, fail, load_settings, session_factory
from openvmi.errors import DomainError
from openvmi.locations.rules import LocationKind

supplier_app = typer.Typer(help="Suppliers (and the buying company).")
plant_app = typer.Typer(help="Plants of the buying company.")
item_app = typer.Typer(help="The item master.")
supplier_item_app = typer.Typer(help="What each supplier supplies: part number, lead time, MOQ, price.")
location_app = typer.Typer(help="Stock locations.")


def _run_use_case(use_case, describe) -> None:  # noqa: ANN001 - small local helper
    """Run one use case in its own transaction; bad input is printed field by field, exit code 2."""
    from pydantic import ValidationError

    with session_factory(load_settings())() as session:
        try:
            row = use_case(session)
        except ValidationError as error:
            for problem in error.errors():
                console.print(f"[red]error:[/red] {'.'.join(map(str, problem['loc'])) or 'input'}: {problem['msg']}")
            raise typer.Exit(code=2) from None
        except DomainError as error:
            raise fail(error) from error
        session.commit()
        console.print(describe(row))


@supplier_app.command("add")
def supplier_add(code: str, name: str, country: Annotated[str | None, typer.Option()] = None,
                 email: Annotated[str | None, typer.Option()] = None,
                 stale_after_days: Annotated[int, typer.Option(help="Days without a stock update before a stale-data alert.")] = 7,
                 buyer: Annotated[bool, typer.Option("--buyer", help="Register the buying company instead.")] = False) -> None:
    """Register a supplier (or, with --buyer, the buying company)."""
    from openvmi.parties import service
    from openvmi.parties.schemas import PartyCreate

    _run_use_case(lambda session: service.create_party(session, PartyCreate(
        code=code, name=name, kind="buyer" if buyer else "supplier", country=country, contact_email=email,
        stale_after_days=stale_after_days)), lambda party: f"{party.kind} {party.code} created, id {party.id}")


@supplier_app.command("list")
def supplier_list(search: Annotated[str | None, typer.Option("--search", "-q")] = None) -> None:
    """List suppliers, optionally filtered by code or name."""
    from openvmi.parties import queries

    with session_factory(load_settings())() as session:
        page = queries.list_parties(session, kind="supplier", search=search, cursor=None, limit=500)
    table = Table("code", "name", "country", "stale after (days)")
    for party in page.items:
        table.add_row(party.code, party.name, party.country or "", str(party.stale_after_days))
    console.print(table)


@plant_app.command("add")
def plant_add(code: str, name: str, address: Annotated[str | None, typer.Option()] = None) -> None:
    """Add a plant of the buying company."""
    from openvmi.parties import service
    from openvmi.parties.schemas import PlantCreate

    _run_use_case(lambda session: service.create_plant(session, PlantCreate(code=code, name=name, address=address)),
                  lambda plant: f"plant {plant.code} created, id {plant.id}")


@item_app.command("add")
def item_add(code: str, name: str, unit: Annotated[str, typer.Option(help="Unit of measure, e.g. PCS, KG, M.")],
             category: Annotated[str | None, typer.Option()] = None,
             low_water: Annotated[str | None, typer.Option(help="Default low-water threshold for every supplier.")] = None) -> None:
    """Add an item to the item master."""
    from openvmi.catalog import service
    from openvmi.catalog.schemas import ItemCreate

    _run_use_case(lambda session: service.create_item(session, ItemCreate(
        code=code, name=name, unit=unit, category=category, default_low_water=low_water)),
        lambda item: f"item {item.code} created, id {item.id}")


@supplier_item_app.command("add")
def supplier_item_add(
    supplier: Annotated[str, typer.Option(help="Supplier code.")],
    item: Annotated[str, typer.Option(help="Item code.")],
    part_number: Annotated[str, typer.Option(help="The supplier's own part number.")],
    lead_time_days: Annotated[int, typer.Option()] = 0,
    moq: Annotated[str, typer.Option(help="Minimum order quantity.")] = "0",
    pack_size: Annotated[str, typer.Option()] = "1",
    price: Annotated[str | None, typer.Option(help="Price per unit, valid from --valid-from.")] = None,
    currency: Annotated[str, typer.Option()] = "CNY",
    valid_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Record that a supplier supplies an item, with its terms and an opening price."""
    from datetime import date

    from openvmi.catalog import service
    from openvmi.catalog.schemas import PriceCreate, SupplierItemCreate

    def use_case(session):  # noqa: ANN001, ANN202
        prices = [] if price is None else [PriceCreate(price=price, currency=currency,
                                                       valid_from=valid_from or date.today())]
        return service.create_supplier_item(session, SupplierItemCreate(
            supplier_code=supplier, item_code=item, supplier_part_number=part_number,
            lead_time_days=lead_time_days, moq=moq, pack_size=pack_size, prices=prices))

    _run_use_case(use_case, lambda row: f"supplier item {supplier}/{item} ({part_number}) created, id {row.id}")


@location_app.command("add")
def location_add(code: str, name: str,
                 kind: Annotated[str, typer.Option(help=", ".join(LocationKind.values()))],
                 plant: Annotated[str | None, typer.Option(help="Plant code (buyer-side locations).")] = None,
                 supplier: Annotated[str | None, typer.Option(help="Supplier code (supplier sites only).")] = None) -> None:
    """Add a stock location."""
    from openvmi.locations import service
    from openvmi.locations.schemas import LocationCreate

    _run_use_case(lambda session: service.create_location(session, LocationCreate(
        code=code, name=name, kind=kind, plant_code=plant, supplier_code=supplier)),
        lambda location: f"location {location.code} ({location.kind}) created, id {location.id}")
