"""Users, roles, API tokens and the permission checks every entrypoint uses."""
