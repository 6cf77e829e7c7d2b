"""`python -m openvmi.cli`: the `openvmi` command."""
from openvmi.cli import app

if __name__ == "__main__":
    app()
