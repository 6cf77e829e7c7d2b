"""Read models of identity: users, tokens, and the user list with each supplier user's company."""
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from openvmi.access import Actor, Role
from openvmi.auth.models import ApiToken, User
from openvmi.db import get_by_id
from openvmi.listing import ListPage, ListRequest, fetch_all, fetch_list_page, like_pattern
from openvmi.parties.models import Party

def get_user(session: Session, user_id: int) -> User:
    return get_by_id(session, User, user_id, label="user")


def find_user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def list_tokens(session: Session, *, actor: Actor) -> list[ApiToken]:
    """The caller's own tokens; an admin sees everyone's."""
    statement = select(ApiToken).order_by(ApiToken.id)
    if actor.role != Role.ADMIN:
        statement = statement.where(ApiToken.user_id == actor.user_id)
    return list(session.scalars(statement))


def viewer_names(session: Session, actor: Actor) -> tuple[str, str | None]:
    """The signed-in user's name and, for a supplier user, their company's: what the portal's layout shows."""
    display_name, supplier_name = session.execute(
        select(User.display_name, Party.name).outerjoin(Party, Party.id == User.supplier_id)
        .where(User.id == actor.user_id)).one()
    return display_name, supplier_name


USER_SORTS = {"username": User.username, "display_name": User.display_name, "role": User.role,
              "supplier_code": Party.code, "created_at": User.created_at}


def _users(request: ListRequest) -> Select:
    statement = (select(User, Party.code.label("supplier_code"))
                 .outerjoin(Party, Party.id == User.supplier_id))
    if request.search:
        pattern = like_pattern(request.search)
        statement = statement.where(or_(User.username.ilike(pattern, escape="\\"),
                                        User.display_name.ilike(pattern, escape="\\"),
                                        User.email.ilike(pattern, escape="\\"), Party.code.ilike(pattern, escape="\\")))
    return statement


def browse_users(session: Session, request: ListRequest) -> ListPage:
    return fetch_list_page(session, _users(request), request, sort_columns=USER_SORTS, default_sort="username",
                           tie_breaker=User.id)


def export_users(session: Session, request: ListRequest) -> list:
    return fetch_all(session, _users(request), request, sort_columns=USER_SORTS, default_sort="username",
                     tie_breaker=User.id)


def usernames(session: Session, user_ids: set[int]) -> dict[int, str]:
    """id -> username, to label tokens in the admin's list."""
    if not user_ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())

