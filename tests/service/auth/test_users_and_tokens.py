"""Identity: who may have an account, password log-in, bearer tokens (throttling and password changes
have their own files)."""
from datetime import timedelta

import pytest

from openvmi.access import Role
from openvmi.auth import queries, service
from openvmi.auth.models import ApiToken
from openvmi.auth.schemas import TokenCreate, UserCreate, UserUpdate
from openvmi.auth.security import verify_password
from openvmi.db import utcnow
from openvmi.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, RuleViolation
from tests.builders import PASSWORD, log_in, make_party, make_user


def new_user(**fields) -> UserCreate:
    return UserCreate(**({"username": "someone", "display_name": "Someone", "password": PASSWORD,
                          "role": Role.BUYER} | fields))


def edit_of(user, **changes) -> UserUpdate:
    """The edit form as an admin submits it: the user's current fields with `changes`."""
    return UserUpdate(**({"display_name": user.display_name, "role": Role(user.role)} | changes))


def test_a_supplier_user_is_bound_to_its_supplier(session):
    supplier = make_party(session)

    user = service.create_user(session, new_user(role=Role.SUPPLIER, supplier_code=supplier.code))

    assert user.supplier_id == supplier.id
    assert service.actor_of(user).supplier_id == supplier.id


@pytest.mark.parametrize(("fields", "message"), [
    ({"role": Role.SUPPLIER}, "needs a supplier"),
    ({"role": Role.SUPPLIER, "supplier_code": "S-NOPE"}, "no such supplier"),
    ({"role": Role.BUYER, "supplier_code": "S-ANY"}, "only supplier users"),
])
def test_supplier_binding_rules(session, fields, message):
    with pytest.raises(InvalidInput, match=message) as raised:
        service.create_user(session, new_user(**fields))
    assert [e.field for e in raised.value.errors] == ["supplier_code"]


def test_a_supplier_user_cannot_be_bound_to_the_buyer(session):
    buyer = make_party(session, kind="buyer")

    with pytest.raises(InvalidInput, match="no such supplier"):
        service.create_user(session, new_user(role=Role.SUPPLIER, supplier_code=buyer.code))


def test_usernames_are_unique(session):
    make_user(session, username="dup-user")

    with pytest.raises(Conflict):
        service.create_user(session, new_user(username="dup-user"))


def test_a_new_users_password_is_kept_as_an_argon2id_hash_of_that_password(session):
    user = make_user(session)

    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, PASSWORD + "x")


def test_an_edit_without_a_password_keeps_the_old_one(session):
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)

    service.update_user(session, user.id, edit_of(user, display_name="Renamed"), actor=service.actor_of(admin))

    assert log_in(session, user.username) is user


def test_a_deactivated_user_cannot_log_in_and_its_tokens_stop_working(session):
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)
    secret, _ = service.issue_login_token(session, user, lifetime=timedelta(hours=1))

    service.set_user_active(session, user.id, False, actor=service.actor_of(admin))

    with pytest.raises(NotAuthenticated):
        log_in(session, user.username)
    with pytest.raises(NotAuthenticated, match="deactivated"):
        service.actor_for_token(session, secret)


def test_an_admin_cannot_deactivate_themself(session):
    admin = make_user(session, role=Role.ADMIN)

    with pytest.raises(RuleViolation, match="you cannot deactivate yourself"):
        service.set_user_active(session, admin.id, False, actor=service.actor_of(admin))


def test_a_login_token_identifies_its_user_until_it_expires(session):
    user = make_user(session, role=Role.WAREHOUSE)
    secret, token = service.issue_login_token(session, user, lifetime=timedelta(hours=1))

    actor = service.actor_for_token(session, secret)
    assert (actor.user_id, actor.role) == (user.id, Role.WAREHOUSE)
    assert token.last_used_at is not None

    token.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(NotAuthenticated, match="expired"):
        service.actor_for_token(session, secret)


def test_each_integration_token_is_its_own_caller_but_a_login_is_the_user(session):
    # given one user with two integrations (ERP and MES) and a password log-in
    user = make_user(session)
    erp = service.create_api_token(session, TokenCreate(name="ERP"), owner=user)
    mes = service.create_api_token(session, TokenCreate(name="MES"), owner=user)
    login_secret, _ = service.issue_login_token(session, user, lifetime=timedelta(hours=1))

    # when each of them calls
    as_erp, as_mes = service.actor_for_token(session, erp.token), service.actor_for_token(session, mes.token)
    as_person = service.actor_for_token(session, login_secret)

    # then the two integrations never share a retry scope, and the person is scoped as the user
    assert (as_erp.caller_key, as_mes.caller_key) == (f"token:{erp.id}", f"token:{mes.id}")
    assert as_person.caller_key == f"user:{user.id}" and as_person.token_id is None
    assert as_erp.user_id == as_mes.user_id == as_person.user_id == user.id


def test_what_the_database_keeps_of_a_token_does_not_work_as_the_token(session):
    # given an integration token whose row someone has read out of the database
    issued = service.create_api_token(session, TokenCreate(name="ERP"), owner=make_user(session))
    row = session.get(ApiToken, issued.id)

    # then only the secret shown once identifies the caller; the stored hash and prefix do not
    assert service.actor_for_token(session, issued.token).token_id == issued.id
    for leaked in (row.token_hash, row.prefix):
        with pytest.raises(NotAuthenticated):
            service.actor_for_token(session, leaked)


def test_an_unknown_token_is_refused(session):
    with pytest.raises(NotAuthenticated):
        service.actor_for_token(session, "ovmi_not-a-token")


def test_a_revoked_token_stops_working_at_once(session):
    user = make_user(session)
    issued = service.create_api_token(session, TokenCreate(name="ERP"), owner=user)
    assert issued.expires_at is None and issued.token.startswith("ovmi_")

    service.revoke_token(session, issued.id, actor=service.actor_of(user))

    with pytest.raises(NotAuthenticated, match="revoked"):
        service.actor_for_token(session, issued.token)


def test_users_see_and_revoke_only_their_own_tokens_but_admins_any(session):
    alice, bob, admin = make_user(session), make_user(session), make_user(session, role=Role.ADMIN)
    bobs = service.create_api_token(session, TokenCreate(name="MES", expires_in_days=30), owner=bob)

    assert queries.list_tokens(session, actor=service.actor_of(alice)) == []
    with pytest.raises(NotFound):
        service.revoke_token(session, bobs.id, actor=service.actor_of(alice))

    assert bobs.id in [t.id for t in queries.list_tokens(session, actor=service.actor_of(admin))]
    assert service.revoke_token(session, bobs.id, actor=service.actor_of(admin)).revoked_at is not None
