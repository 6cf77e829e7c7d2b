"""Users and API tokens from the shell: the same use cases as the API."""
from typing import Annotated

import typer
from sqlalchemy import select

from openvmi.access import Role
from openvmi.auth import queries as auth_queries
from openvmi.auth import service as auth_service
from openvmi.auth.schemas import MIN_PASSWORD_LENGTH, TokenCreate, UserCreate
from openvmi.cli.common import console, fail, load_settings, session_factory
from openvmi.errors import DomainError

user_app = typer.Typer(help="Users.")
token_app = typer.Typer(help="API tokens for ERP/MES integration.")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="admin, buyer, warehouse, finance or supplier")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    display_name: Annotated[str | None, typer.Option()] = None,
    supplier: Annotated[str | None, typer.Option(help="Supplier code (supplier users only).")] = None,
    email: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a user."""
    with session_factory(load_settings())() as session:
        try:
            user = auth_service.create_user(session, UserCreate(
                username=username, display_name=display_name or username, password=password,
                role=role, supplier_code=supplier, email=email))
        except DomainError as error:
            raise fail(error) from error
        session.commit()
        console.print(f"user {user.username} ({user.role}) created, id {user.id}")


@user_app.command("set-password")
def user_set_password(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a user's password (e.g. an admin who forgot theirs): every token of the user ends."""
    with session_factory(load_settings())() as session:
        user = auth_queries.find_user_by_username(session, username)
        if user is None:
            raise fail(DomainError(f"no such user: {username}"))
        if len(password) < MIN_PASSWORD_LENGTH:
            raise fail(DomainError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters"))
        auth_service.reset_password(session, user, password)
        session.commit()
    console.print(f"password of {username} set; their sessions and API tokens have ended")


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Option("--user", help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'SAP nightly export'.")],
    expires_in_days: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Create an integration token; its secret is printed once."""
    with session_factory(load_settings())() as session:
        user = auth_queries.find_user_by_username(session, username)
        if user is None:
            raise fail(DomainError(f"no such user: {username}"))
        issued = auth_service.create_api_token(session, TokenCreate(name=name, expires_in_days=expires_in_days),
                                               owner=user)
        session.commit()
    console.print(f"token {issued.id} for {username}: [bold]{issued.token}[/bold]  (shown once)")


@token_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke a token at once."""
    from openvmi.auth.models import ApiToken
    from openvmi.db import utcnow

    with session_factory(load_settings())() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.id == token_id))
        if token is None:
            raise fail(DomainError(f"no such token: {token_id}"))
        token.revoked_at = token.revoked_at or utcnow()
        session.commit()
    console.print(f"token {token_id} revoked")
