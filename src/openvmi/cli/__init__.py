"""The `openvmi` command: serve, migrate, demo data, users and tokens, master data, imports.
Each command commits once; this module only puts the commands of its sibling modules together."""
import typer

from openvmi.cli import accounts, master_data, server, supplier_stock

app = typer.Typer(help="OpenVMI: supplier-collaboration inventory.", no_args_is_help=True)
# In the order `openvmi --help` lists them; the commands without a group name come first.
app.add_typer(server.commands)
app.add_typer(server.db_app, name="db")
app.add_typer(accounts.user_app, name="user")
app.add_typer(accounts.token_app, name="token")
app.add_typer(master_data.supplier_app, name="supplier")
app.add_typer(master_data.plant_app, name="plant")
app.add_typer(master_data.item_app, name="item")
app.add_typer(master_data.supplier_item_app, name="supplier-item")
app.add_typer(master_data.location_app, name="location")
app.add_typer(supplier_stock.import_app, name="import")
app.add_typer(supplier_stock.alerts_app, name="alerts")
