"""A new password ends the sessions it should: the user's own change ends their other sessions and
keeps the one in use; an admin's reset, made after a compromise, ends every token the user has."""
from datetime import timedelta

import pytest

from openvmi.access import Role
from openvmi.auth import service
from openvmi.auth.rules import NOT_THE_CURRENT_PASSWORD, TOO_MANY_WRONG_PASSWORDS
from openvmi.auth.schemas import PasswordChange, TokenCreate, UserUpdate
from openvmi.errors import InvalidInput, NotAuthenticated
from tests.builders import LOGIN_POLICY, PASSWORD, log_in, make_user

NEW = "brand-new-pass-1"


def sessions_of(session, user) -> dict[str, str]:
    """Two browsers signed in and one ERP integration, by name -> secret."""
    laptop, _ = service.issue_login_token(session, user, lifetime=timedelta(hours=1))
    phone, _ = service.issue_login_token(session, user, lifetime=timedelta(hours=1))
    erp = service.create_api_token(session, TokenCreate(name="ERP"), owner=user).token
    return {"laptop": laptop, "phone": phone, "erp": erp}


def still_working(session, secrets: dict[str, str]) -> set[str]:
    working = set()
    for name, secret in secrets.items():
        try:
            service.actor_for_token(session, secret)
            working.add(name)
        except NotAuthenticated:
            pass
    return working


def change_own(session, user, current=PASSWORD, new=NEW, *, on: str | None = None):
    return service.change_password(session, PasswordChange(current_password=current, new_password=new),
                                   actor=service.actor_of(user), address="127.0.0.1", policy=LOGIN_POLICY,
                                   current_token=on)


def test_changing_ones_own_password_ends_the_other_sessions_and_keeps_this_one_and_integrations(session):
    user = make_user(session)
    tokens = sessions_of(session, user)

    change_own(session, user, on=tokens["laptop"])

    assert still_working(session, tokens) == {"laptop", "erp"}
    assert log_in(session, user.username, NEW) is user
    with pytest.raises(NotAuthenticated):
        log_in(session, user.username, PASSWORD)


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failed_log_in(session):
    user = make_user(session)
    tokens = sessions_of(session, user)

    for _ in range(LOGIN_POLICY.max_failures):
        with pytest.raises(InvalidInput) as wrong:
            change_own(session, user, current="not-it-at-all", on=tokens["laptop"])
        assert [(e.field, e.message) for e in wrong.value.errors] == [("current_password", NOT_THE_CURRENT_PASSWORD)]
    with pytest.raises(InvalidInput) as paused:  # a stolen session cannot guess the password either
        change_own(session, user, on=tokens["laptop"])

    assert paused.value.errors[0].message == TOO_MANY_WRONG_PASSWORDS
    assert still_working(session, tokens) == {"laptop", "phone", "erp"}
    assert log_in(session, user.username, address="127.0.0.2") is user


def test_an_admins_reset_ends_every_token_and_lifts_a_pause(session):
    # given a user whose password leaked, paused at the office address by someone's guessing
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)
    tokens = sessions_of(session, user)
    for _ in range(LOGIN_POLICY.max_failures):
        with pytest.raises(NotAuthenticated):
            log_in(session, user.username, "a-guess")

    # when an admin sets a new password
    service.update_user(session, user.id, UserUpdate(display_name=user.display_name, role=Role.BUYER, password=NEW),
                        actor=service.actor_of(admin))

    # then no session or integration of the user works, and the new password logs in at once
    assert still_working(session, tokens) == set()
    assert log_in(session, user.username, NEW) is user


def test_an_admin_setting_their_own_password_stays_signed_in(session):
    admin = make_user(session, role=Role.ADMIN)
    tokens = sessions_of(session, admin)

    service.update_user(session, admin.id, UserUpdate(display_name="Me", role=Role.ADMIN, password=NEW),
                        actor=service.actor_of(admin), current_token=tokens["phone"])

    assert still_working(session, tokens) == {"phone", "erp"}


def test_an_edit_that_sets_no_password_ends_no_session(session):
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)
    tokens = sessions_of(session, user)

    service.update_user(session, user.id, UserUpdate(display_name="Renamed", role=Role.BUYER),
                        actor=service.actor_of(admin))

    assert still_working(session, tokens) == {"laptop", "phone", "erp"}
